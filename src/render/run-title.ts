import type { PlanDeltaCounts } from "../domain/plan-summary.js";
import { assertNever } from "../lib/assert-never.js";
import type { CheckRunState } from "./check-run-state.js";
import { componentHasChanges } from "./component-has-changes.js";
import { hasChanges, sumCounts } from "./format-delta.js";
import { CHECK_RUN_TITLE_LIMIT, cutCodePoints, measure } from "./limits.js";
import { plural } from "./plural.js";
import type { ChangesetReport, ComponentPhase, ComponentReport } from "./report-model.js";

const settled: ReadonlySet<ComponentPhase> = new Set([
  "UNCONFIRMED",
  "FINISHED",
  "FAILED",
  "DISCARDED",
  "BLOCKED",
]);

/**
 * The one line a reader sees first (check-run title, PR comment heading): what the run would do,
 * did, or what stopped it. Plain text, within {@link CHECK_RUN_TITLE_LIMIT}.
 */
export function runTitle(report: ChangesetReport, state: CheckRunState): string {
  return fit(composeTitle(report, state));
}

function composeTitle(report: ChangesetReport, state: CheckRunState): string {
  const problems = report.configProblems ?? [];
  if (problems.length > 0) {
    const files = [...new Set(problems.map((problem) => problem.file))];
    const what = files.length === 1 ? `${files[0]} is invalid` : "The repository config is invalid";
    return `${what}: ${plural(problems.length, "problem")}`;
  }
  const { components } = report;
  const total = plural(components.length, "component");
  const done = components.filter((component) => settled.has(component.phase)).length;
  switch (state.status) {
    case "queued":
      return `Queued: ${total}`;
    case "in_progress": {
      const applying = components.some(
        (component) => component.phase === "CONFIRMED" || component.phase === "APPLYING",
      );
      return `${applying ? "Applying" : "Planning"}: ${done} of ${total} done`;
    }
    case "completed":
      return completedTitle(report, state.conclusion);
    default:
      return assertNever(state, "check run state");
  }
}

function completedTitle(
  report: ChangesetReport,
  conclusion: Extract<CheckRunState, { status: "completed" }>["conclusion"],
): string {
  const { components } = report;
  const withPhase = (phase: ComponentPhase): ComponentReport[] =>
    components.filter((component) => component.phase === phase);
  switch (conclusion) {
    case "failure": {
      const failed = withPhase("FAILED");
      return listNames(`${failureVerb(failed)}: `, failed);
    }
    case "action_required": {
      const planned = sumCounts(planCounts(components));
      const outputsOnly = !hasChanges(planned) && components.some(componentHasChanges);
      const what = `${toDoPhrase(planned)}${outputsOnly ? ", output changes only" : ""}`;
      return report.stale === undefined ? what : `Stale: ${what}`;
    }
    case "success": {
      const applied = components.filter(componentHasChanges);
      return applied.length === 0
        ? "No changes"
        : `Applied: ${donePhrase(sumCounts(planCounts(applied)))}`;
    }
    case "neutral":
      return components.length === 0 ? "Nothing to plan" : "Discarded";
    case "skipped":
      return listNames("Blocked by a failed upstream: ", withPhase("BLOCKED"));
    default:
      return assertNever(conclusion, "check run conclusion");
  }
}

function planCounts(components: readonly ComponentReport[]): PlanDeltaCounts[] {
  return components.flatMap((component) =>
    component.counts === undefined ? [] : [component.counts],
  );
}

/** As the engines print it: "Plan: 2 to add, 1 to change, 0 to destroy." */
function toDoPhrase(counts: PlanDeltaCounts): string {
  return [
    `${counts.add} to add`,
    `${counts.change} to change`,
    `${counts.destroy} to destroy`,
    ...(counts.import > 0 ? [`${counts.import} to import`] : []),
    ...(counts.move > 0 ? [`${counts.move} to move`] : []),
    ...(counts.forget > 0 ? [`${counts.forget} to forget`] : []),
  ].join(", ");
}

function donePhrase(counts: PlanDeltaCounts): string {
  return [
    `${counts.add} added`,
    `${counts.change} changed`,
    `${counts.destroy} destroyed`,
    ...(counts.import > 0 ? [`${counts.import} imported`] : []),
    ...(counts.move > 0 ? [`${counts.move} moved`] : []),
    ...(counts.forget > 0 ? [`${counts.forget} forgotten`] : []),
  ].join(", ");
}

/** `prefix` and as many names as fit the title, then "and N more". */
function listNames(prefix: string, components: readonly ComponentReport[]): string {
  const names = components.map((component) => component.name);
  for (let shown = names.length; shown > 0; shown -= 1) {
    const rest = names.length - shown;
    const title = `${prefix}${names.slice(0, shown).join(", ")}${rest > 0 ? ` and ${rest} more` : ""}`;
    if (measure(title, CHECK_RUN_TITLE_LIMIT.unit) <= CHECK_RUN_TITLE_LIMIT.budget) return title;
  }
  return `${prefix}${plural(names.length, "component")}`;
}

function fit(title: string): string {
  const { budget, unit } = CHECK_RUN_TITLE_LIMIT;
  if (measure(title, unit) <= budget) return title;
  return `${cutCodePoints(title, budget - 1, unit)}…`;
}

/** "Plan failed" or "Apply failed" when every failure happened in that half, else "Failed". */
function failureVerb(failed: readonly ComponentReport[]): string {
  const stages = new Set(failed.map((component) => component.failedDuring));
  if (stages.size === 1 && stages.has("plan")) return "Plan failed";
  if (stages.size === 1 && stages.has("apply")) return "Apply failed";
  return "Failed";
}
