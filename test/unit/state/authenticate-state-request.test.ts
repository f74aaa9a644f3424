import { describe, expect, it } from "vitest";
import type {
  StateCredentialRecord,
  StateCredentialStore,
} from "../../../src/services/state-port.js";
import { authenticateStateRequest } from "../../../src/state/authenticate-state-request.js";
import { hashStateToken } from "../../../src/state/hash-state-token.js";

const id = "0b9d7c38-2f4e-4c61-9a57-6b0c3a1e9d21";
const componentId = "5a0e1f33-7c2b-4d8e-8f61-2e9b4c7a1d05";
const password = "correct-horse-battery-staple";

function store(overrides: Partial<StateCredentialRecord> = {}): StateCredentialStore {
  const record: StateCredentialRecord = {
    id,
    componentId,
    runId: "run-1",
    access: "write",
    tokenHash: hashStateToken(password),
    revokedAt: undefined,
    expiresAt: new Date(Date.now() + 60_000),
    expired: false,
    ended: false,
    ...overrides,
  };
  return {
    insert: async () => ({ id, expiresAt: record.expiresAt }),
    find: async (wanted) => (wanted === record.id ? record : undefined),
    revoke: async () => true,
    revokeOfRun: async () => 1,
  };
}

const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

describe("authenticateStateRequest", () => {
  it("accepts the component's own credential", async () => {
    const auth = await authenticateStateRequest(
      { credentials: store() },
      { authorization: basic(id, password), componentId, method: "POST" },
    );
    expect(auth).toMatchObject({ ok: true, credential: { id, componentId } });
  });

  it.each([
    ["no header", undefined, componentId, "GET", {}, 401, "no credential: basic auth required"],
    [
      "a bearer token",
      `Bearer ${password}`,
      componentId,
      "GET",
      {},
      401,
      "no credential: basic auth required",
    ],
    [
      "a username that is no credential id",
      basic("admin", password),
      componentId,
      "GET",
      {},
      401,
      "unknown credential",
    ],
    [
      "an unknown credential",
      basic("11111111-2222-4333-8444-555555555555", password),
      componentId,
      "GET",
      {},
      401,
      "unknown credential",
    ],
    ["a wrong password", basic(id, "guess"), componentId, "GET", {}, 401, "wrong password"],
    [
      "a revoked credential",
      basic(id, password),
      componentId,
      "GET",
      { revokedAt: new Date() },
      403,
      "credential revoked",
    ],
    [
      "an expired credential",
      basic(id, password),
      componentId,
      "GET",
      { expired: true },
      403,
      "credential expired",
    ],
    [
      "a credential of a run component that has ended",
      basic(id, password),
      componentId,
      "GET",
      { ended: true },
      403,
      "credential of a run component that has ended",
    ],
    [
      "another component's credential",
      basic(id, password),
      "9e1d2c3b-4a5f-4e6d-8c7b-1a2b3c4d5e6f",
      "GET",
      {},
      403,
      "credential is for another component",
    ],
    [
      "a read credential that locks",
      basic(id, password),
      componentId,
      "LOCK",
      { access: "read" as const },
      403,
      "read-only credential: LOCK needs write access",
    ],
    [
      "a read credential that writes",
      basic(id, password),
      componentId,
      "POST",
      { access: "read" as const },
      403,
      "read-only credential: POST needs write access",
    ],
  ])(
    "refuses %s",
    async (_name, authorization, forComponent, method, overrides, status, reason) => {
      const auth = await authenticateStateRequest(
        { credentials: store(overrides) },
        { authorization, componentId: forComponent, method },
      );
      expect(auth).toMatchObject({ ok: false, status, reason });
      expect(JSON.stringify(auth)).not.toContain(password);
    },
  );

  it("lets a read credential read", async () => {
    for (const method of ["GET", "HEAD"]) {
      const auth = await authenticateStateRequest(
        { credentials: store({ access: "read" }) },
        { authorization: basic(id, password), componentId, method },
      );
      expect(auth.ok).toBe(true);
    }
  });
});
