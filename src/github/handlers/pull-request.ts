import { discardPullRequestRuns } from "../../services/discard-pull-request-runs.js";
import { planPullRequest } from "../../services/plan-pull-request.js";
import type { PlanDeps } from "../../services/plan-deps.js";
import type { EventHandler } from "../process-delivery.js";
import { PullRequestEvent, repositoryOf } from "../translate-pull-request.js";

/** opened / synchronize / reopened plan; closed discards what was not confirmed. */
export function createPullRequestHandler(flow: PlanDeps): EventHandler {
  return async ({ payload, log }) => {
    // The services log with the delivery's id and repository.
    const deps: PlanDeps = { ...flow, log };
    const event = PullRequestEvent.parse(payload);
    const pr = event.pull_request;
    const repository = repositoryOf(event);
    if (event.action === "closed") {
      await discardPullRequestRuns(
        deps,
        { repository, number: pr.number },
        event.sender.login,
        "pull request closed",
        { proposedOnly: true },
      );
      await deps.pullRequests.closePullRequest(repository.id, pr.number);
      return "processed";
    }
    if (!["opened", "synchronize", "reopened"].includes(event.action)) return "ignored";
    const outcome = await planPullRequest(deps, {
      installationId: event.installation.id,
      repository,
      number: pr.number,
      headSha: pr.head.sha,
      baseSha: pr.base.sha,
      baseRef: pr.base.ref,
      author: pr.user.login,
      fork: pr.head.repo?.full_name !== pr.base.repo.full_name,
      trigger: "pull_request",
      triggeredBy: event.sender.login,
    });
    log.info({ outcome: outcome.kind }, "pull request handled");
    return "processed";
  };
}
