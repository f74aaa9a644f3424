import type { ComponentPhase } from "../domain/component-phase.js";
import type { ManagedState } from "../services/state-port.js";
import { type ManagedBackend, managedBackend } from "./backend-wiring.js";

/** What the executor (services/run-in-phase-context.ts, `StateBackendLender`) borrows per phase. */
export interface LentStateBackend {
  wiring: Omit<ManagedBackend, "secrets">;
  secrets: string[];
  release(): Promise<void>;
}

/**
 * Lends each phase a credential of its own, revoked when the phase ends. Only an apply (the run
 * component is CONFIRMED) may write and lock: a plan runs the pull request's code (docs/design.md
 * "Trust"), so it reads the state and nothing more, and takes no lock (invariant 5).
 */
export function createStateBackendLender(deps: { managedState: ManagedState; stateUrl: string }) {
  return async (record: {
    runId: string;
    componentId: string;
    phase: ComponentPhase;
  }): Promise<LentStateBackend> => {
    const applying = record.phase === "CONFIRMED" || record.phase === "APPLYING";
    const credential = await deps.managedState.issueStateCredential({
      componentId: record.componentId,
      runId: record.runId,
      access: applying ? "write" : "read",
    });
    const { secrets, ...wiring } = managedBackend({
      stateUrl: deps.stateUrl,
      componentId: record.componentId,
      credential,
    });
    return {
      wiring,
      secrets,
      release: () => deps.managedState.revokeStateCredential(credential.username),
    };
  };
}
