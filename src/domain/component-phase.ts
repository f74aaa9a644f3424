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
