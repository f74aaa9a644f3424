import { createSecretKey, type KeyObject } from "node:crypto";
import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import { z } from "zod";
import { open, seal } from "../../lib/seal.js";
import type { ApiTokenCaller } from "../../services/authenticate-api-token.js";
import { deriveKey, verifyGrant, type Grant } from "../../lib/signed-link.js";

/**
 * The run pages' session, kept entirely in one cookie sealed with AES-256-GCM under a key derived
 * from BOSUN_ENCRYPTION_KEY: the signed-link grants a browser has opened (so navigation and the
 * JSON API work without the token in every URL) and, after GitHub sign-in, the user and their
 * token (sealed, so the browser cannot read it either).
 */

export const SESSION_COOKIE = "bosun_session";
const MAX_GRANTS = 20;
/** A signed-in session lasts a working day; the user signs in again after it. */
export const USER_SESSION_SECONDS = 8 * 3600;

const SessionData = z.object({
  grants: z.array(z.string()).max(MAX_GRANTS),
  user: z.object({ login: z.string(), token: z.string(), expiresAt: z.number() }).optional(),
});
type SessionData = z.infer<typeof SessionData>;

export interface SessionUser {
  login: string;
  /** The user's GitHub token: for GitHub only, never shown or logged. */
  token: string;
  expiresAt: number;
}

export interface Session {
  /** Valid grants: each token re-verified on every request. */
  grants: Grant[];
  grantTokens: string[];
  user: SessionUser | undefined;
  /**
   * The machine user of an `Authorization: Bearer` API token, on a request to /api/*: then the
   * only credential looked at, and never kept in the cookie.
   */
  apiToken?: ApiTokenCaller;
}

export interface SessionKeys {
  linkKey: Buffer;
  sessionKey: KeyObject;
  /** Signs OAuth state and CSRF tokens. */
  formKey: Buffer;
}

export function sessionKeys(encryptionKey: KeyObject): SessionKeys {
  return {
    linkKey: deriveKey(encryptionKey, "run-page links"),
    sessionKey: createSecretKey(deriveKey(encryptionKey, "run-page session")),
    formKey: deriveKey(encryptionKey, "run-page forms"),
  };
}

const EMPTY: Session = { grants: [], grantTokens: [], user: undefined };

export function readSession(keys: SessionKeys, cookie: string | undefined, nowMs: number): Session {
  if (!cookie) return EMPTY;
  let data: SessionData;
  try {
    const plain = open(keys.sessionKey, Buffer.from(cookie, "base64url"), SESSION_COOKIE);
    data = SessionData.parse(JSON.parse(plain.toString("utf8")));
  } catch {
    // A cookie from another key, tampered with or malformed is no session at all.
    return EMPTY;
  }
  const valid = data.grants.flatMap((token) => {
    const grant = verifyGrant(keys.linkKey, token, nowMs);
    return grant ? [{ token, grant }] : [];
  });
  return {
    grants: valid.map((entry) => entry.grant),
    grantTokens: valid.map((entry) => entry.token),
    user: data.user && data.user.expiresAt * 1000 > nowMs ? data.user : undefined,
  };
}

/** The cookie value and its lifetime (seconds) for a session; undefined when nothing is left in it. */
export function writeSession(
  keys: SessionKeys,
  session: { grantTokens: string[]; grants: Grant[]; user: SessionUser | undefined },
  nowMs: number,
): { value: string; maxAge: number } | undefined {
  const grantTokens = session.grantTokens.slice(-MAX_GRANTS);
  const expiries = [
    ...session.grants.slice(-MAX_GRANTS).map((grant) => grant.expiresAt),
    ...(session.user ? [session.user.expiresAt] : []),
  ];
  if (expiries.length === 0) return undefined;
  const data: SessionData = { grants: grantTokens, user: session.user };
  const sealed = seal(keys.sessionKey, Buffer.from(JSON.stringify(data), "utf8"), SESSION_COOKIE);
  return {
    value: sealed.toString("base64url"),
    maxAge: Math.max(1, Math.max(...expiries) - Math.floor(nowMs / 1000)),
  };
}

/** Stores the session in its cookie; one with nothing left in it leaves the cookie as it was. */
export function saveSession(
  c: Context,
  keys: SessionKeys,
  session: Parameters<typeof writeSession>[1],
  options: { nowMs: number; secure: boolean },
): void {
  const cookie = writeSession(keys, session, options.nowMs);
  if (!cookie) return;
  setCookie(c, SESSION_COOKIE, cookie.value, {
    httpOnly: true,
    sameSite: "Lax",
    secure: options.secure,
    path: "/",
    maxAge: cookie.maxAge,
  });
}
