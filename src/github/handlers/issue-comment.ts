import { handlePullRequestComment } from "../../services/handle-command.js";
import type { PlanDeps } from "../../services/plan-deps.js";
import type { EventHandler } from "../process-delivery.js";
import { IssueCommentEvent, repositoryOf } from "../translate-pull-request.js";

/** New comments on pull requests may carry a command; bots' comments (Bosun's own) never do. */
export function createIssueCommentHandler(flow: PlanDeps): EventHandler {
  return async ({ payload, log }) => {
    // The services log with the delivery's id and repository.
    const deps: PlanDeps = { ...flow, log };
    const event = IssueCommentEvent.parse(payload);
    if (event.action !== "created" || !event.issue.pull_request) return "ignored";
    if (event.comment.user.type === "Bot") return "ignored";
    const outcome = await handlePullRequestComment(deps, {
      installationId: event.installation.id,
      repository: repositoryOf(event),
      number: event.issue.number,
      commentId: event.comment.id,
      body: event.comment.body ?? "",
      actor: event.comment.user.login,
      createdAt: event.comment.created_at,
    });
    log.info({ outcome }, "comment handled");
    return outcome === "ignored" ? "ignored" : "processed";
  };
}
