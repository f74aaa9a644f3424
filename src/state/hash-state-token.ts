import { createHash } from "node:crypto";

/**
 * Tokens are 256 random bits, so a plain SHA-256 is enough: a slow password hash protects guessable
 * secrets, and these are not guessable.
 */
export function hashStateToken(token: string): string {
  return `sha256:${createHash("sha256").update(token, "utf8").digest("hex")}`;
}
