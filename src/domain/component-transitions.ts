import type { ComponentPhase } from "./component-phase.js";

/** Why a component moves (docs/design.md "Lifecycle"): each legal move names one. */
export const TRANSITION_CAUSES = [
  /** A worker takes a queued component and walks it through the plan's steps. */
  "plan",
  /** The plan ended: changes wait for approval, no changes finish. */
  "planned",
  /** The single approval gate: a person, an approving review, autodeploy or a later wave. */
  "confirm",
  /** A worker applies a confirmed component (or finishes one that has nothing to apply). */
  "apply",
  "applied",
  /** Something went wrong: the component failed, in any active phase. */
  "fail",
  /** An upstream moved under a later wave, or under a plan waiting for approval. */
  "stale",
  /** A worker was lost mid-plan: the plan is retried (invariant 2: never an apply). */
  "retry",
  /** A deferred component's upstream applied (queued) or failed (blocked). */
  "release",
  /** `/discard`, the Discard button, a closed pull request, or a new plan superseding this one. */
  "discard",
] as const;
export type TransitionCause = (typeof TRANSITION_CAUSES)[number];

export interface ComponentTransition {
  readonly from: ComponentPhase;
  readonly to: ComponentPhase;
  readonly cause: TransitionCause;
  /**
   * `false` when the move is illegal once the run is confirmed: a confirmed run's queued and
   * deferred components are its later waves, and nothing stops a confirmed run (invariant 2).
   */
  readonly afterConfirm: boolean;
}

const row = (
  from: ComponentPhase,
  to: ComponentPhase,
  cause: TransitionCause,
  afterConfirm = true,
): ComponentTransition => ({ from, to, cause, afterConfirm });

/**
 * Every legal move of a run's component, one row each. What is not here is refused: terminal
 * phases never move (invariant 1), and CONFIRMED and APPLYING end only in FINISHED or FAILED
 * (invariant 2). A component's first phase is set when its run is created, not by a move.
 */
export const COMPONENT_TRANSITIONS: readonly ComponentTransition[] = [
  row("QUEUED", "PREPARING", "plan"),
  row("PREPARING", "INITIALIZING", "plan"),
  row("PREPARING", "PLANNING", "plan"),
  row("INITIALIZING", "PLANNING", "plan"),
  row("PLANNING", "UNCONFIRMED", "planned"),
  row("PLANNING", "FINISHED", "planned"),
  row("UNCONFIRMED", "CONFIRMED", "confirm"),
  row("CONFIRMED", "APPLYING", "apply"),
  row("CONFIRMED", "FINISHED", "apply"),
  row("APPLYING", "FINISHED", "applied"),
  row("QUEUED", "FAILED", "fail"),
  row("PREPARING", "FAILED", "fail"),
  row("INITIALIZING", "FAILED", "fail"),
  row("PLANNING", "FAILED", "fail"),
  row("CONFIRMED", "FAILED", "fail"),
  row("APPLYING", "FAILED", "fail"),
  row("UNCONFIRMED", "FAILED", "stale"),
  row("DEFERRED", "FAILED", "stale"),
  row("PREPARING", "QUEUED", "retry"),
  row("INITIALIZING", "QUEUED", "retry"),
  row("PLANNING", "QUEUED", "retry"),
  row("DEFERRED", "QUEUED", "release"),
  row("DEFERRED", "BLOCKED", "release"),
  row("QUEUED", "DISCARDED", "discard", false),
  row("DEFERRED", "DISCARDED", "discard", false),
  row("UNCONFIRMED", "DISCARDED", "discard"),
];

/**
 * The row that allows a move, or undefined when it is illegal. Without a cause, any row for the
 * two phases will do (the store's last check, which knows the phases and whether the run is
 * confirmed, not always why).
 */
export function legalTransition(move: {
  from: ComponentPhase;
  to: ComponentPhase;
  cause?: TransitionCause | undefined;
  runConfirmed: boolean;
}): ComponentTransition | undefined {
  return COMPONENT_TRANSITIONS.find(
    (candidate) =>
      candidate.from === move.from &&
      candidate.to === move.to &&
      (move.cause === undefined || candidate.cause === move.cause) &&
      (candidate.afterConfirm || !move.runConfirmed),
  );
}

/** Whether a component in `phase` may be discarded: only what no approval has reached. */
export function isDiscardable(phase: ComponentPhase, runConfirmed: boolean): boolean {
  return (
    legalTransition({ from: phase, to: "DISCARDED", cause: "discard", runConfirmed }) !== undefined
  );
}
