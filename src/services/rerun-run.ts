import { planPullRequest } from "./plan-pull-request.js";
import type { PlanDeps } from "./plan-deps.js";
import type { RunPageStore } from "./run-page-port.js";

export type RerunOutcome =
  { kind: "queued"; runIds: string[] } | { kind: "refused"; reason: string };

/**
 * The run page's Re-run: plans the run's pull request again, narrowed to the run's environment and
 * stacks, as `/plan` would (the same re-plan path, so the same rules: a re-plan clears earlier
 * approvals). The new runs link to the one they repeat (docs/design.md invariant 1). The caller has
 * checked that `actor` can write.
 */
export async function rerunRun(
  deps: PlanDeps & { pages: RunPageStore },
  input: { runId: string; actor: string },
): Promise<RerunOutcome> {
  const run = await deps.pages.run(input.runId);
  if (!run) return { kind: "refused", reason: "the run no longer exists" };
  if (run.pullRequestNumber === undefined) {
    return {
      kind: "refused",
      reason: "a tracked run is re-run by pushing again to the tracked branch",
    };
  }
  const api = await deps.github(run.repository.installationId, run.repository.fullName);
  const pr = await api.pullRequest(run.pullRequestNumber);
  if (pr.state !== "open") {
    return { kind: "refused", reason: `pull request #${pr.number} is closed` };
  }
  const outcome = await planPullRequest(deps, {
    installationId: run.repository.installationId,
    repository: {
      id: run.repository.id,
      fullName: run.repository.fullName,
      defaultBranch: run.repository.defaultBranch ?? pr.baseRef,
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
  await deps.pages.linkRepeats(outcome.runIds, run.id);
  deps.log.info({ runId: run.id, runIds: outcome.runIds, actor: input.actor }, "run re-run");
  return { kind: "queued", runIds: outcome.runIds };
}
