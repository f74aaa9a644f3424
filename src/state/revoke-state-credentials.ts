import type { ManagedStateDeps } from "./managed-state-deps.js";

/** Ends the run's access to state: called when a phase ends, and by crash recovery. */
export async function revokeStateCredentials(
  deps: Pick<ManagedStateDeps, "credentials" | "log" | "now">,
  runId: string,
): Promise<number> {
  const revoked = await deps.credentials.revokeOfRun(runId, (deps.now ?? (() => new Date()))());
  if (revoked > 0) deps.log.info({ runId, revoked }, "state credentials revoked");
  return revoked;
}
