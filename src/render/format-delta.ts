import type { PlanDeltaCounts } from "../domain/plan-summary.js";
import { plural } from "./plural.js";

/**
 * A plan's deltas as Bosun shows them per component: `+add ~change -destroy`, then `±replace`
 * when something is replaced, then the state-only operations in words when there are any, so
 * that a plan that only imports or moves does not read as `+0 ~0 -0` and nothing to review.
 */
export function formatDelta(counts: PlanDeltaCounts): string {
  const replace = counts.replace > 0 ? ` ±${counts.replace}` : "";
  const others = stateOperations(counts);
  const extra = others.length > 0 ? ` (${others.join(", ")})` : "";
  return `+${counts.add} ~${counts.change} -${counts.destroy}${replace}${extra}`;
}

/** Whether applying would do anything that the counts can tell. */
export function hasChanges(counts: PlanDeltaCounts): boolean {
  return (
    counts.add + counts.change + counts.destroy + counts.import + counts.move + counts.forget > 0
  );
}

/** The counts of several plans added up. */
export function sumCounts(all: readonly PlanDeltaCounts[]): PlanDeltaCounts {
  return all.reduce(
    (sum, counts) => ({
      add: sum.add + counts.add,
      change: sum.change + counts.change,
      destroy: sum.destroy + counts.destroy,
      replace: sum.replace + counts.replace,
      import: sum.import + counts.import,
      move: sum.move + counts.move,
      forget: sum.forget + counts.forget,
    }),
    { add: 0, change: 0, destroy: 0, replace: 0, import: 0, move: 0, forget: 0 },
  );
}

function stateOperations(counts: PlanDeltaCounts): string[] {
  return [
    ...(counts.import > 0 ? [plural(counts.import, "import")] : []),
    ...(counts.move > 0 ? [plural(counts.move, "move")] : []),
    ...(counts.forget > 0 ? [plural(counts.forget, "forget")] : []),
  ];
}
