import type { ManagedStateDeps } from "./managed-state-deps.js";

/**
 * Ends the run's access to state: all of it when the run ended, or one component's when the
 * worker running it was lost (the run's other components may still be mid-phase on live workers).
 */
export async function revokeStateCredentials(
  deps: Pick<ManagedStateDeps, "credentials" | "log" | "now">,
  runId: string,
  componentId?: string,
): Promise<number> {
  const at = (deps.now ?? (() => new Date()))();
  const revoked = await deps.credentials.revokeOfRun(runId, at, componentId);
  if (revoked > 0) deps.log.info({ runId, componentId, revoked }, "state credentials revoked");
  return revoked;
}
