import { createHmac, hkdfSync, timingSafeEqual, type KeyObject } from "node:crypto";

/**
 * Signed links to run pages: what check runs, comments and deployments carry so that whoever can
 * see them on GitHub can open the run page without signing in. A token grants read access to one
 * scope (`run:<run id>` or `repo:<repository id>`) until it expires:
 *
 * ```
 * <scope, base64url>.<expiry, seconds since the epoch>.<HMAC-SHA256 of "scope\nexpiry", base64url>
 * ```
 *
 * The HMAC key is derived from BOSUN_ENCRYPTION_KEY with HKDF, so the key that seals secrets never
 * signs anything itself and rotating it revokes every link.
 */

export type GrantScope = `run:${string}` | `repo:${number}`;

export interface Grant {
  scope: GrantScope;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const DAY_SECONDS = 86_400;
/** How long a link in a check run, comment or deployment stays valid (README "Run pages"). */
export const LINK_LIFETIME_DAYS = 30;

/** A key for one purpose, derived from the encryption key (RFC 5869). */
export function deriveKey(key: KeyObject, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), `bosun ${purpose}`, 32));
}

/**
 * The expiry of a link issued now: LINK_LIFETIME_DAYS from the end of the current UTC day, so
 * every link to a run issued on one day is the same text and an unchanged report stays unchanged.
 */
export function linkExpiry(nowMs: number): number {
  return (Math.floor(nowMs / 1000 / DAY_SECONDS) + 1 + LINK_LIFETIME_DAYS) * DAY_SECONDS;
}

export function signGrant(linkKey: Buffer, grant: Grant): string {
  const scope = Buffer.from(grant.scope, "utf8").toString("base64url");
  return `${scope}.${grant.expiresAt}.${mac(linkKey, grant.scope, grant.expiresAt)}`;
}

/** The grant a token carries, when its signature holds and it has not expired; else undefined. */
export function verifyGrant(linkKey: Buffer, token: string, nowMs: number): Grant | undefined {
  const match = /^([A-Za-z0-9_-]{1,200})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  const scope = Buffer.from(match[1]!, "base64url").toString("utf8");
  if (!isGrantScope(scope)) return undefined;
  const expiresAt = Number(match[2]);
  const expected = Buffer.from(mac(linkKey, scope, expiresAt), "base64url");
  const given = Buffer.from(match[3]!, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  // 43 characters carry 258 bits: a last character differing only in the two unused bits decodes
  // to the same signature. One token per grant: only the canonical spelling is taken.
  if (given.toString("base64url") !== match[3]) return undefined;
  if (expiresAt * 1000 <= nowMs) return undefined;
  return { scope, expiresAt };
}

function isGrantScope(scope: string): scope is GrantScope {
  return /^run:[0-9a-f-]{36}$/.test(scope) || /^repo:\d{1,20}$/.test(scope);
}

function mac(linkKey: Buffer, scope: string, expiresAt: number): string {
  return createHmac("sha256", linkKey).update(`${scope}\n${expiresAt}`).digest("base64url");
}

/** Builds the signed URL of a run page: what services put in check runs and deployments. */
export function createRunLinker(options: {
  publicUrl: string;
  encryptionKey: KeyObject;
  /** Milliseconds since the epoch; tests pass their own clock. */
  now?: () => number;
}): (runId: string) => string {
  const linkKey = deriveKey(options.encryptionKey, "run-page links");
  const now = options.now ?? Date.now;
  return (runId) => {
    const token = signGrant(linkKey, { scope: `run:${runId}`, expiresAt: linkExpiry(now()) });
    return `${options.publicUrl}/runs/${runId}?token=${token}`;
  };
}
