import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * A form's CSRF token: an HMAC under the pages' form key over what the form does and for whom
 * (e.g. `trigger`, the login, the repository id, the stack), so a token shown to one user for one
 * target is worth nothing to another user or for another target.
 */
export function formToken(key: Buffer, parts: readonly string[]): string {
  return createHmac("sha256", key).update(parts.join("\n")).digest("base64url");
}

/** Whether a posted field is the form token for `parts`, compared in constant time. */
export function isFormToken(key: Buffer, given: unknown, parts: readonly string[]): boolean {
  const received = Buffer.from(typeof given === "string" ? given : "", "utf8");
  const expected = Buffer.from(formToken(key, parts), "utf8");
  return received.length === expected.length && timingSafeEqual(received, expected);
}
