import type { createProbot } from "../github/create-probot.js";
import { createCheckRunHandler } from "../github/handlers/check-run.js";
import { createInstallationHandler } from "../github/handlers/installation.js";
import { createIssueCommentHandler } from "../github/handlers/issue-comment.js";
import { createPullRequestReviewHandler } from "../github/handlers/pull-request-review.js";
import { createPullRequestHandler } from "../github/handlers/pull-request.js";
import { createPushHandler } from "../github/handlers/push.js";
import { createDeliveryProcessor } from "../github/process-delivery.js";
import type { GithubEventJob } from "../services/accept-delivery.js";
import type { DeliveryStore } from "../services/delivery-port.js";
import type { InstallationStore } from "../services/installation-port.js";
import type { PlanDeps } from "../services/plan-deps.js";
import type { JobHandler } from "../services/queue-port.js";
import type { Logger } from "pino";

/**
 * The handler of `github-event` and `github-push` jobs: the stored delivery the job names is
 * processed by the handler of its event.
 */
export function deliveryJobHandler(deps: {
  probot: ReturnType<typeof createProbot>;
  deliveries: DeliveryStore;
  installations: InstallationStore;
  flow: PlanDeps;
  log: Logger;
}): JobHandler<GithubEventJob> {
  const processDelivery = createDeliveryProcessor({
    probot: deps.probot,
    deliveries: deps.deliveries,
    log: deps.log,
    handlers: {
      installation: createInstallationHandler(deps.installations, "installation"),
      installation_repositories: createInstallationHandler(
        deps.installations,
        "installation_repositories",
      ),
      pull_request: createPullRequestHandler(deps.flow),
      issue_comment: createIssueCommentHandler(deps.flow),
      pull_request_review: createPullRequestReviewHandler(deps.flow),
      check_run: createCheckRunHandler(deps.flow),
      push: createPushHandler(deps.flow),
    },
  });
  return async (job) => {
    await processDelivery(job.data.deliveryId);
  };
}
