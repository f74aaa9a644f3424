/** Per-component lifecycle states (docs/design.md "Lifecycle"). */
export const COMPONENT_PHASES = [
  "QUEUED",
  "DEFERRED",
  "PREPARING",
  "INITIALIZING",
  "PLANNING",
  "UNCONFIRMED",
  "CONFIRMED",
  "APPLYING",
  "FINISHED",
  "FAILED",
  "DISCARDED",
  "BLOCKED",
] as const;
export type ComponentPhase = (typeof COMPONENT_PHASES)[number];

/** Phases a component never leaves (invariant 1). */
export const TERMINAL_PHASES: readonly ComponentPhase[] = [
  "FINISHED",
  "FAILED",
  "DISCARDED",
  "BLOCKED",
];

export function isTerminal(phase: ComponentPhase): boolean {
  return TERMINAL_PHASES.includes(phase);
}

/** Phases before a plan is done: waiting for a worker, or being planned. */
export const PLANNING_PHASES: readonly ComponentPhase[] = [
  "QUEUED",
  "PREPARING",
  "INITIALIZING",
  "PLANNING",
];

/** Phases in which a worker is executing the component and must keep its lease alive. */
export const LEASED_PHASES: readonly ComponentPhase[] = [
  "PREPARING",
  "INITIALIZING",
  "PLANNING",
  "APPLYING",
];

/** Phases no approval has reached yet: what a discard or a newer plan may discard. */
export const SUPERSEDABLE_PHASES: readonly ComponentPhase[] = ["QUEUED", "DEFERRED", "UNCONFIRMED"];
