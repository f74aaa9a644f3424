import { createHash, randomBytes } from "node:crypto";

/**
 * A recognisable prefix, as GitHub's `ghp_` and Slack's `xoxb-`: secret scanners and Bosun's own
 * masking (src/lib/find-credentials.ts) find a token pasted where it should not be.
 */
export const API_TOKEN_PREFIX = "bosun_";

/** The prefix and 32 random bytes in base64url (43 characters). */
export const API_TOKEN_PATTERN = /(?<![A-Za-z0-9_-])bosun_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;

/** A new API token: shown once, then kept only as its hash. */
export function generateApiToken(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** Whether `text` is written as an API token is; says nothing about whether one exists. */
export function looksLikeApiToken(text: string): boolean {
  return new RegExp(`^${API_TOKEN_PATTERN.source}$`).test(text);
}

/**
 * Tokens are 256 random bits, so a plain SHA-256 is enough (as for state credentials): a slow
 * password hash protects guessable secrets, and these are not guessable. Found by hash lookup, so
 * no comparison of a secret's bytes takes a time that depends on them.
 */
export function hashApiToken(token: string): string {
  return `sha256:${createHash("sha256").update(token, "utf8").digest("hex")}`;
}
