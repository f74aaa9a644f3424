import type { StateLockRecord } from "../services/state-port.js";
import { describeLock } from "./describe-lock.js";
import type { ManagedStateDeps } from "./managed-state-deps.js";

/**
 * Crash recovery: a run whose worker died cannot unlock, so its locks are released on its behalf.
 * Each release leaves an audit line: a later write with that lock ID is refused as `lock-not-held`.
 */
export async function releaseLocksOfRun(
  deps: Pick<ManagedStateDeps, "store" | "log">,
  runId: string,
  componentId?: string,
): Promise<StateLockRecord[]> {
  const released = await deps.store.releaseLocksOfRun(runId, componentId);
  for (const lock of released) {
    deps.log.warn(
      {
        audit: "state.release-locks-of-run",
        runId,
        componentId: lock.componentId,
        lockId: lock.lockId,
      },
      `released ${describeLock(lock)} of a run that can no longer release it`,
    );
  }
  return released;
}
