import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { StateCredentialRecord } from "../services/state-port.js";
import { hashStateToken } from "./hash-state-token.js";
import type { ManagedStateDeps } from "./managed-state-deps.js";

export type StateAuthentication =
  | { ok: true; credential: StateCredentialRecord }
  | {
      ok: false;
      /** 401: no credential Bosun knows; 403: a real credential used beyond its reach. */
      status: 401 | 403;
      reason: string;
      /** The username when it has the shape of a credential id (never the password). */
      credentialId?: string;
    };

const CredentialId = z.guid();
const READ_METHODS = new Set(["GET", "HEAD"]);

/** Checks the engine's basic auth against the credential issued for this component. */
export async function authenticateStateRequest(
  deps: Pick<ManagedStateDeps, "credentials">,
  input: { authorization: string | undefined; componentId: string; method: string },
): Promise<StateAuthentication> {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(input.authorization ?? "");
  if (!basic?.[1]) return { ok: false, status: 401, reason: "no credential: basic auth required" };
  const decoded = Buffer.from(basic[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const username = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? "" : decoded.slice(colon + 1);
  if (!CredentialId.safeParse(username).success) {
    return { ok: false, status: 401, reason: "unknown credential" };
  }
  const credential = await deps.credentials.find(username);
  if (!credential) {
    return { ok: false, status: 401, reason: "unknown credential", credentialId: username };
  }
  const given = Buffer.from(hashStateToken(password));
  const expected = Buffer.from(credential.tokenHash);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, status: 401, reason: "wrong password", credentialId: username };
  }
  if (credential.revokedAt) {
    return { ok: false, status: 403, reason: "credential revoked", credentialId: username };
  }
  if (credential.expired) {
    return { ok: false, status: 403, reason: "credential expired", credentialId: username };
  }
  if (credential.ended) {
    return {
      ok: false,
      status: 403,
      reason: "credential of a run component that has ended",
      credentialId: username,
    };
  }
  if (credential.componentId !== input.componentId.toLowerCase()) {
    return {
      ok: false,
      status: 403,
      reason: "credential is for another component",
      credentialId: username,
    };
  }
  if (credential.access === "read" && !READ_METHODS.has(input.method)) {
    return {
      ok: false,
      status: 403,
      reason: `read-only credential: ${input.method} needs write access`,
      credentialId: username,
    };
  }
  return { ok: true, credential };
}
