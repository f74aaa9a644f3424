/** What the GitHub flows change in a run's components: approvals, releases and discards. */
export interface RunTransitionStore {
  /** UNCONFIRMED → CONFIRMED for each listed component still unconfirmed; returns those confirmed. */
  confirm(
    runId: string,
    runComponentIds: readonly string[],
    actor: string,
    cause: string,
  ): Promise<string[]>;
  /**
   * A confirmed run's later wave: UNCONFIRMED → CONFIRMED for each listed component whose deployed
   * head is still the one its changeset was based on, compared and swapped in one transaction
   * (docs/design.md invariant 4); one whose head moved is refused: FAILED, with what moved.
   */
  confirmWave(
    runId: string,
    runComponentIds: readonly string[],
    actor: string,
    cause: string,
  ): Promise<{ confirmed: string[]; stale: string[] }>;
  /**
   * A DEFERRED component moves on: QUEUED once its upstreams applied, BLOCKED when one failed,
   * FAILED when it is refused (its deployed head moved). `cause` is kept as the reason of the last two.
   */
  releaseDeferred(
    runComponentId: string,
    to: "QUEUED" | "BLOCKED" | "FAILED",
    cause: string,
  ): Promise<boolean>;
  /**
   * When no tracked run holds the component any more, releases the oldest held one (clears
   * `held`) and returns it, to be planned; undefined otherwise.
   */
  releaseNextHeld(
    componentId: string,
  ): Promise<{ runComponentId: string; runId: string } | undefined>;
  /**
   * What of the run no approval has reached → DISCARDED: its UNCONFIRMED components, and its
   * QUEUED and DEFERRED ones unless the run is confirmed (they are then its later waves, and
   * nothing stops a confirmed run). Returns how many.
   */
  discard(runId: string, actor: string, cause: string): Promise<number>;
}
