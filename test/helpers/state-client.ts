import { createHash, randomUUID } from "node:crypto";
import type { StateCredential } from "../../src/services/state-port.js";

/** A state document as the engine writes it (format 4). */
export function stateJson(
  serial: number,
  lineage: string,
  outputs: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    version: 4,
    terraform_version: "1.11.5",
    serial,
    lineage,
    outputs: Object.fromEntries(
      Object.entries(outputs).map(([name, value]) => [name, { value, type: "string" }]),
    ),
    resources: [],
    check_results: null,
  });
}

/** The engine's LockInfo, Go field names. */
export function lockInfo(who: string, id: string = randomUUID()) {
  return {
    ID: id,
    Operation: "OperationTypeApply",
    Info: "",
    Who: who,
    Version: "1.11.5",
    Created: new Date().toISOString(),
    Path: "",
  };
}

export const md5 = (body: string | Uint8Array) => createHash("md5").update(body).digest("base64");

/** Speaks the engine's side of the http backend protocol (CLI-CONTRACT.md §7). */
export function stateClient(
  address: string,
  credential: Pick<StateCredential, "username" | "password"> | undefined,
) {
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    ...(credential
      ? {
          authorization: `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString("base64")}`,
        }
      : {}),
    ...extra,
  });
  return {
    get: () => fetch(address, { headers: headers() }),
    post: (body: string | Uint8Array, lockId?: string, extra: Record<string, string> = {}) =>
      fetch(lockId ? `${address}?ID=${encodeURIComponent(lockId)}` : address, {
        method: "POST",
        // A copy on its own ArrayBuffer: fetch's BodyInit does not take a view of a shared one.
        body: typeof body === "string" ? body : new Uint8Array(body),
        headers: headers({
          "content-type": "application/json",
          "content-md5": md5(body),
          ...extra,
        }),
      }),
    lock: (info: object | string) =>
      fetch(address, {
        method: "LOCK",
        body: typeof info === "string" ? info : JSON.stringify(info),
        headers: headers({ "content-type": "application/json" }),
      }),
    unlock: (info: object | string) =>
      fetch(address, {
        method: "UNLOCK",
        body: typeof info === "string" ? info : JSON.stringify(info),
        headers: headers({ "content-type": "application/json" }),
      }),
    send: (method: string, body?: string) =>
      fetch(address, { method, headers: headers(), ...(body === undefined ? {} : { body }) }),
  };
}
