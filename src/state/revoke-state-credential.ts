import type { ManagedStateDeps } from "./managed-state-deps.js";

/**
 * Ends one credential: a phase is over. Other components of the same run may still be mid-phase
 * with their own credentials, which is why this is per credential and not per run.
 */
export async function revokeStateCredential(
  deps: Pick<ManagedStateDeps, "credentials" | "log" | "now">,
  username: string,
): Promise<void> {
  const revoked = await deps.credentials.revoke(username, (deps.now ?? (() => new Date()))());
  if (revoked) deps.log.info({ credentialId: username }, "state credential revoked");
}
