import { PROMOTE_TRIGGER, REVERT_TRIGGER } from "../domain/changeset-origin.js";
import { planPullRequest } from "./plan-pull-request.js";
import type { PlanDeps } from "./plan-deps.js";
import { repeatRun } from "./repeat-run.js";
import type { RunDetail } from "./run-page-port.js";

export type RerunOutcome =
  { kind: "queued"; runIds: string[] } | { kind: "refused"; reason: string };

/** Whether Re-run has something to run again: a run of orphans alone ran nothing. */
export function canRerun(run: Pick<RunDetail, "components">): boolean {
  return run.components.some((component) => component.changeKind !== "orphan");
}

/**
 * Re-run (the run page, the HTTP API, GitHub's Re-run on a `bosun/<env>` check run): a new run
 * linked to the one it repeats (docs/design.md invariant 1).
 *
 * - A pull request's plan is planned again at the pull request's head, narrowed to the run's
 *   environment and stacks, as `/plan` would (the same rules: a re-plan clears earlier approvals).
 * - Every other run (tracked, plan-only, destroy, drift, revert, promote) is repeated as itself:
 *   the same kind, commit, components and runtime config.
 *
 * The caller has checked that `actor` can write.
 */
export async function rerunRun(
  deps: PlanDeps,
  input: { runId: string; actor: string },
): Promise<RerunOutcome> {
  const run = await deps.runViews.runView(input.runId);
  if (!run) return { kind: "refused", reason: "the run no longer exists" };
  const replansPullRequest =
    run.kind === "proposed" &&
    run.pullRequestNumber !== undefined &&
    run.trigger !== REVERT_TRIGGER &&
    run.trigger !== PROMOTE_TRIGGER;
  if (!replansPullRequest) {
    const runId = await repeatRun(deps, run, input.actor);
    deps.log.info({ runId: run.runId, runIds: [runId], actor: input.actor }, "run repeated");
    return { kind: "queued", runIds: [runId] };
  }
  const api = await deps.github(run.installationId, run.repositoryFullName);
  const pr = await api.pullRequest(run.pullRequestNumber!);
  if (pr.state !== "open") {
    return { kind: "refused", reason: `pull request #${pr.number} is closed` };
  }
  const outcome = await planPullRequest(deps, {
    installationId: run.installationId,
    repository: {
      id: run.repositoryId,
      fullName: run.repositoryFullName,
      defaultBranch: run.defaultBranch ?? pr.baseRef,
    },
    number: pr.number,
    headSha: pr.headSha,
    baseSha: pr.baseSha,
    baseRef: pr.baseRef,
    author: pr.author,
    fork: pr.fork,
    trigger: "button",
    triggeredBy: input.actor,
    environment: run.environment,
    stacks: run.components.map((component) => component.stack),
    repeatsRunId: run.runId,
  });
  if (outcome.kind !== "planned") {
    return {
      kind: "refused",
      reason:
        outcome.kind === "refused"
          ? `the pull request cannot be planned again (${outcome.refusal.kind})`
          : `the pull request cannot be planned again (${outcome.kind})`,
    };
  }
  deps.log.info({ runId: run.runId, runIds: outcome.runIds, actor: input.actor }, "run re-run");
  return { kind: "queued", runIds: outcome.runIds };
}
