import type { ComponentPhase } from "./component-phase.js";
import type { PlanDeltaCounts } from "./plan-summary.js";

/** One stack whose deployed resources no longer match what was applied. */
export interface DriftedStack {
  stack: string;
  /** What a plan of the deployed commit would do to put things back. */
  counts: PlanDeltaCounts;
  /** The resources it would change, in the plan's order. */
  addresses: string[];
}

/**
 * What a drift check found. `inconclusive`: a plan failed (or was blocked by one that did) and no
 * other found drift, so whether the environment drifted is not known; the last finding stands.
 */
export type DriftOutcome =
  | { kind: "drifted"; stacks: DriftedStack[] }
  | { kind: "clean" }
  | { kind: "inconclusive"; stacks: string[] };

/** What deciding a drift check's outcome needs of each component of its run, once all are terminal. */
export interface DriftCheckComponent {
  stack: string;
  phase: ComponentPhase;
  plan:
    | {
        summary: {
          hasChanges: boolean;
          counts: PlanDeltaCounts;
          resources: readonly { address: string; kind: string }[];
        };
      }
    | undefined;
}

/**
 * A drift check's outcome (docs/design.md "Runs without a pull request"): the environment drifted
 * when a plan of any deployed component at its deployed commit, with its recorded inputs, has
 * changes; it is clean when every plan finished without any.
 */
export function driftOutcome(components: readonly DriftCheckComponent[]): DriftOutcome {
  const drifted = components
    .filter((component) => component.phase === "FINISHED" && component.plan?.summary.hasChanges)
    .map((component) => ({
      stack: component.stack,
      counts: component.plan!.summary.counts,
      addresses: component
        .plan!.summary.resources.filter((resource) => resource.kind !== "no-op")
        .map((resource) => resource.address),
    }))
    .sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
  if (drifted.length > 0) return { kind: "drifted", stacks: drifted };
  const unfinished = components.filter((component) => component.phase !== "FINISHED");
  return unfinished.length > 0
    ? { kind: "inconclusive", stacks: unfinished.map((component) => component.stack).sort() }
    : { kind: "clean" };
}
