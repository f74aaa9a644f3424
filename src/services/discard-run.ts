import { discardPullRequestRuns } from "./discard-pull-request-runs.js";
import type { PlanDeps } from "./plan-deps.js";
import { refusedBy, type RunActionOutcome } from "./run-action-outcome.js";
import { actorName, type TriggerActor } from "./trigger-stack-run.js";

/**
 * The HTTP API's discard: what `/discard` and the Discard button do, for the one run named. Who
 * may discard is the caller's to check (write permission, or a `trigger` token).
 */
export async function discardRun(
  deps: PlanDeps,
  input: { runId: string; actor: TriggerActor },
): Promise<RunActionOutcome> {
  const run = await deps.runViews.runView(input.runId);
  if (!run) return { kind: "refused", status: 404, reason: "no such run" };
  const discarded = await discardPullRequestRuns(
    deps,
    { repository: { id: run.repositoryId }, number: run.pullRequestNumber, runId: run.runId },
    actorName(input.actor),
    "discarded through the HTTP API",
  );
  if ("refusal" in discarded) return refusedBy(discarded.refusal);
  return discarded.count > 0
    ? { kind: "done" }
    : {
        kind: "refused",
        status: 409,
        reason: "nothing of this run is waiting for approval, so there is nothing to discard",
      };
}
