import { describe, expect, it } from "vitest";
import type { StateBackendLender } from "../../../src/services/execute-run-component.js";
import type { ManagedState, StateAccess } from "../../../src/services/state-port.js";
import { createStateBackendLender } from "../../../src/state/lend-state-backend.js";

function fakeManagedState() {
  const issued: { componentId: string; runId: string; access: StateAccess | undefined }[] = [];
  const revoked: string[] = [];
  const managedState: ManagedState = {
    issueStateCredential: async (input) => {
      issued.push({ ...input, access: input.access });
      return {
        username: `user-${issued.length}`,
        password: `pw-${issued.length}`,
        access: input.access ?? "write",
      };
    },
    revokeStateCredential: async (username) => {
      revoked.push(username);
    },
    revokeStateCredentials: async () => 0,
    releaseLocksOfRun: async () => [],
    latestStateVersion: async () => undefined,
    pruneStateVersions: async () => 0,
  };
  return { managedState, issued, revoked };
}

const record = { runId: "run-1", componentId: "comp-1" };

describe("createStateBackendLender", () => {
  it("fits the executor's StateBackendLender", () => {
    const lender: StateBackendLender = createStateBackendLender({
      managedState: fakeManagedState().managedState,
      stateUrl: "http://localhost:3000",
    });
    expect(lender).toBeTypeOf("function");
  });

  it("lends a plan a read credential without locking, and an apply a write credential", async () => {
    const fake = fakeManagedState();
    const lend = createStateBackendLender({
      managedState: fake.managedState,
      stateUrl: "http://bosun",
    });

    const plan = await lend({ ...record, phase: "QUEUED" });
    expect(plan.wiring.env.TF_HTTP_LOCK_ADDRESS).toBeUndefined();
    expect(plan.wiring.env.TF_HTTP_PASSWORD).toBe("pw-1");
    expect(plan.secrets).toEqual(["pw-1"]);

    const apply = await lend({ ...record, phase: "CONFIRMED" });
    expect(apply.wiring.env.TF_HTTP_LOCK_ADDRESS).toBe("http://bosun/state/comp-1");
    expect(apply.wiring).not.toHaveProperty("secrets");

    expect(fake.issued).toEqual([
      { runId: "run-1", componentId: "comp-1", access: "read" },
      { runId: "run-1", componentId: "comp-1", access: "write" },
    ]);
    await plan.release();
    await apply.release();
    expect(fake.revoked).toEqual(["user-1", "user-2"]);
  });
});
