/** The most a state credential outlives the run timeout: time to fetch the source and start. */
export const STATE_CREDENTIAL_MARGIN_MS = 5 * 60_000;

/**
 * How long a phase's state credential lives, and when its job is stopped so that its engine is
 * gone before the credential ends. The credential is issued once per job (init, then plan; or
 * init, apply and outputs) and has to end on its own when its worker dies without revoking it;
 * the margin is the smaller of five minutes and the timeout itself, so a short test timeout gives
 * a short lifetime. The job stops halfway through the margin: an engine still running then would
 * meet refusals from the state backend (an apply would fail to save its state), so it is stopped
 * first, with a reason that says why.
 */
export function stateCredentialLifetime(runTimeoutMs: number): {
  lifetimeMs: number;
  jobDeadlineMs: number;
} {
  const margin = Math.min(runTimeoutMs, STATE_CREDENTIAL_MARGIN_MS);
  return {
    lifetimeMs: runTimeoutMs + margin,
    jobDeadlineMs: runTimeoutMs + Math.floor(margin / 2),
  };
}
