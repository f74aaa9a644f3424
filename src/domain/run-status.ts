import { type ComponentPhase, PLANNING_PHASES } from "./component-phase.js";

export const RUN_STATUSES = [
  "PLANNING",
  "PLANNED",
  "APPLYING",
  "SUCCEEDED",
  "PARTIALLY_FAILED",
  "FAILED",
  "DISCARDED",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const APPLYING: readonly ComponentPhase[] = ["CONFIRMED", "APPLYING"];

/**
 * A run's status derives from its components (docs/design.md invariant 8), never stored on its own.
 * `applied` says whether anything was applied in this run, which tells PARTIALLY_FAILED (a
 * failure stopped the chain after something applied) from FAILED.
 */
export function deriveRunStatus(
  components: readonly { phase: ComponentPhase; applied: boolean }[],
): RunStatus {
  const phases = components.map((component) => component.phase);
  const anyApplied = components.some((component) => component.applied);
  if (phases.some((phase) => APPLYING.includes(phase))) return "APPLYING";
  if (phases.includes("FAILED") || phases.includes("BLOCKED")) {
    return anyApplied ? "PARTIALLY_FAILED" : "FAILED";
  }
  if (phases.some((phase) => PLANNING_PHASES.includes(phase))) return "PLANNING";
  if (phases.includes("UNCONFIRMED")) return "PLANNED";
  if (phases.includes("DEFERRED")) return anyApplied ? "APPLYING" : "PLANNED";
  if (phases.length > 0 && phases.every((phase) => phase === "DISCARDED")) return "DISCARDED";
  if (phases.includes("DISCARDED") && !anyApplied) return "DISCARDED";
  return "SUCCEEDED";
}
