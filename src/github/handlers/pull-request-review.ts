import { confirmPullRequest } from "../../services/apply-pull-request.js";
import { loadTrackedConfig } from "../../services/tracked-config.js";
import type { PlanDeps } from "../../services/plan-deps.js";
import { replyWithRefusal } from "../../services/reporter/index.js";
import type { EventHandler } from "../process-delivery.js";
import { PullRequestReviewEvent, repositoryOf } from "../translate-pull-request.js";

/**
 * An approving review counts toward `approved` when it approves the planned commit (GitHub keeps
 * it; /apply reads it). With the tracked branch's `approve_on_review`, such an approval by a
 * writer also confirms, like `/apply`; any other approving review confirms nothing and is told why.
 */
export function createPullRequestReviewHandler(flow: PlanDeps): EventHandler {
  return async ({ payload, log }) => {
    // The services log with the delivery's id and repository.
    const deps: PlanDeps = { ...flow, log };
    const event = PullRequestReviewEvent.parse(payload);
    if (event.action !== "submitted" || event.review.state.toLowerCase() !== "approved")
      return "ignored";
    const repository = repositoryOf(event);
    const api = await deps.github(event.installation.id, repository.fullName);
    const tracked = await loadTrackedConfig(api, repository.defaultBranch);
    if (tracked.kind !== "valid" || !tracked.config.apply.approve_on_review) return "ignored";
    const outcome = await confirmPullRequest(deps, {
      installationId: event.installation.id,
      repository,
      number: event.pull_request.number,
      actor: event.review.user.login,
      via: "review",
      // GitHub's list of reviews may not show this one yet.
      review: {
        user: event.review.user.login,
        state: "APPROVED",
        commitId: event.review.commit_id,
        submittedAt: event.review.submitted_at ?? "",
      },
    });
    if (outcome.kind === "refused" && outcome.refusal.kind !== "nothing-to-apply") {
      await replyWithRefusal(
        api,
        { number: event.pull_request.number, actor: event.review.user.login },
        outcome.refusal,
      );
    }
    log.info({ outcome: outcome.kind }, "approving review handled");
    return "processed";
  };
}
