import { PLAN_ONLY_KINDS } from "../domain/run-kind.js";
import { confirmPullRequest } from "./apply-pull-request.js";
import type { PlanDeps } from "./plan-deps.js";
import { refusedBy, type RunActionOutcome } from "./run-action-outcome.js";
import { actorName, type TriggerActor } from "./trigger-stack-run.js";

/**
 * The HTTP API's confirm: the approval gate `/apply` and the Apply button go through, for the one
 * run named, with the same requirements (approved, mergeable, undiverged for a pull request's
 * plan; none for a tracked run's). A person's write permission is checked there; a machine user's
 * `trigger` scope is the caller's to check. It is recorded as the confirmer by its label.
 */
export async function confirmRun(
  deps: PlanDeps,
  input: { runId: string; actor: TriggerActor },
): Promise<RunActionOutcome> {
  const run = await deps.runViews.runView(input.runId);
  if (!run) return { kind: "refused", status: 404, reason: "no such run" };
  if (PLAN_ONLY_KINDS.includes(run.kind)) {
    return {
      kind: "refused",
      status: 409,
      reason: `a ${run.kind === "drift" ? "drift check" : "plan-only run"} is never applied; trigger a run of kind tracked to plan and apply`,
    };
  }
  if (run.defaultBranch === undefined) {
    return {
      kind: "refused",
      status: 409,
      reason:
        "Bosun does not know the repository's default branch yet, where the rules for applying are read",
    };
  }
  const outcome = await confirmPullRequest(deps, {
    installationId: run.installationId,
    repository: {
      id: run.repositoryId,
      fullName: run.repositoryFullName,
      defaultBranch: run.defaultBranch,
    },
    number: run.pullRequestNumber,
    actor: actorName(input.actor),
    via: "api",
    machineUser: input.actor.kind === "token",
    runId: run.runId,
  });
  return outcome.kind === "applying" ? { kind: "done" } : refusedBy(outcome.refusal);
}
