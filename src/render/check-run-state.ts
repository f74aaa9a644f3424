import { assertNever } from "../lib/assert-never.js";
import type { ChangesetReport, ComponentPhase } from "./report-model.js";

export const checkRunStatuses = ["queued", "in_progress", "completed"] as const;
export type CheckRunStatus = (typeof checkRunStatuses)[number];

/** The conclusions Bosun uses, a subset of GitHub's. */
export const checkRunConclusions = [
  "success",
  "failure",
  "neutral",
  "action_required",
  "skipped",
] as const;
export type CheckRunConclusion = (typeof checkRunConclusions)[number];

/** A check run's status, with a conclusion exactly when it is completed (as GitHub requires). */
export type CheckRunState =
  | { readonly status: "queued" | "in_progress"; readonly conclusion?: undefined }
  | { readonly status: "completed"; readonly conclusion: CheckRunConclusion };

const queued: CheckRunState = { status: "queued" };
const inProgress: CheckRunState = { status: "in_progress" };
const completed = (conclusion: CheckRunConclusion): CheckRunState => ({
  status: "completed",
  conclusion,
});

/** docs/design.md's "Bosun state → GitHub check run" table, for one component. */
export function checkRunStateOfPhase(phase: ComponentPhase): CheckRunState {
  switch (phase) {
    case "QUEUED":
    case "DEFERRED":
      return queued;
    case "PREPARING":
    case "INITIALIZING":
    case "PLANNING":
      return inProgress;
    case "UNCONFIRMED":
      return completed("action_required");
    case "CONFIRMED":
    case "APPLYING":
      return inProgress;
    case "FINISHED":
      return completed("success");
    case "FAILED":
      return completed("failure");
    case "DISCARDED":
      return completed("neutral");
    case "BLOCKED":
      return completed("skipped");
    default:
      return assertNever(phase, "component phase");
  }
}

const active: ReadonlySet<ComponentPhase> = new Set([
  "PREPARING",
  "INITIALIZING",
  "PLANNING",
  "CONFIRMED",
  "APPLYING",
]);

/**
 * The state of a changeset's one check run, from its components. The check run completes only
 * once nothing is left that Bosun will do on its own, because a completed check run is not
 * reopened (docs/design.md: confirming starts a fresh one). In order:
 *
 * 1. `bosun.yml` problems: completed, `failure` (nothing was planned).
 * 2. No components: completed, `neutral` (nothing to do).
 * 3. Any component preparing, initializing, planning, confirmed or applying: `in_progress`.
 * 4. Any QUEUED: `queued` if no component has got further than QUEUED or DEFERRED, else
 *    `in_progress` (the run has started and will go on).
 * 5. DEFERRED components wait for an upstream to apply. With a component UNCONFIRMED they wait
 *    for a person, so the run is at rest (go on to 6); otherwise Bosun is about to apply the
 *    wave they wait for: `queued` if all are DEFERRED, else `in_progress`.
 * 6. Completed, with the first conclusion that holds: any FAILED → `failure`; any UNCONFIRMED →
 *    `action_required`; any DISCARDED → `neutral` (a discard ends the whole run, so the rest
 *    finished without changes); any BLOCKED → `skipped`; otherwise (all FINISHED) → `success`.
 *
 * A single component gets what {@link checkRunStateOfPhase} gives it.
 */
export function checkRunStateOf(report: ChangesetReport): CheckRunState {
  if ((report.configProblems ?? []).length > 0) return completed("failure");
  const phases = report.components.map((component) => component.phase);
  if (phases.length === 0) return completed("neutral");
  const has = (phase: ComponentPhase): boolean => phases.includes(phase);
  const waiting = (phase: ComponentPhase): boolean => phase === "QUEUED" || phase === "DEFERRED";

  if (phases.some((phase) => active.has(phase))) return inProgress;
  if (has("QUEUED")) return phases.every(waiting) ? queued : inProgress;
  if (has("DEFERRED") && !has("UNCONFIRMED")) return phases.every(waiting) ? queued : inProgress;

  if (has("FAILED")) return completed("failure");
  if (has("UNCONFIRMED")) return completed("action_required");
  if (has("DISCARDED")) return completed("neutral");
  if (has("BLOCKED")) return completed("skipped");
  return completed("success");
}
