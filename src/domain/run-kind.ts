/**
 * What started a run (docs/design.md "Nouns", "Runs without a pull request"): a pull request's
 * plan, a push to the tracked branch (or a writer's "Plan & apply"), a destroy, a writer's "Plan
 * only" (never applies), or a scheduled drift check (a plan of what is deployed).
 */
export const RUN_KINDS = ["proposed", "tracked", "destroy", "plan", "drift"] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** Kinds whose runs end at their plan: nothing of theirs is ever confirmed or applied. */
export const PLAN_ONLY_KINDS: readonly RunKind[] = ["plan", "drift"];

/** The trigger of a run a writer started on a stack (page, API, CLI) rather than GitHub. */
export const MANUAL_TRIGGER = "manual";

/** A run kind a person (page, API, CLI) may start on a stack. */
export const TRIGGER_KINDS = ["tracked", "plan", "destroy"] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];
