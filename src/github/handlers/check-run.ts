import type { Refusal } from "../../render/command-reply.js";
import { confirmPullRequest } from "../../services/apply-pull-request.js";
import { canWrite } from "../../services/github-port.js";
import { discardPullRequestRuns } from "../../services/discard-pull-request-runs.js";
import type { PlanDeps } from "../../services/plan-deps.js";
import { replyWithRefusal } from "../../services/reporter/index.js";
import type { EventHandler } from "../process-delivery.js";
import { CheckRunEvent, repositoryOf } from "../translate-pull-request.js";

/** The Apply and Discard buttons of a `bosun/<env>` check run. */
export function createCheckRunHandler(flow: PlanDeps): EventHandler {
  return async ({ payload, log }) => {
    // The services log with the delivery's id and repository.
    const deps: PlanDeps = { ...flow, log };
    const event = CheckRunEvent.parse(payload);
    if (event.action !== "requested_action" || !event.requested_action) return "ignored";
    const repository = repositoryOf(event);
    const run = await deps.runViews.runByCheckRun(repository.id, event.check_run.id);
    if (!run) return "ignored";
    const actor = event.sender.login;
    const number = run.pullRequestNumber;
    const api = await deps.github(event.installation.id, repository.fullName);
    let refusal: Refusal | undefined;
    switch (event.requested_action.identifier) {
      case "apply": {
        const outcome = await confirmPullRequest(deps, {
          installationId: event.installation.id,
          repository,
          number,
          actor,
          via: "button",
          checkRunId: event.check_run.id,
        });
        refusal = outcome.kind === "refused" ? outcome.refusal : undefined;
        break;
      }
      case "discard": {
        if (!canWrite(await api.permissionOf(actor))) {
          refusal = { kind: "no-permission", user: actor, needed: "write", command: "Discard" };
          break;
        }
        const outcome = await discardPullRequestRuns(
          deps,
          { repository, number, checkRunId: event.check_run.id },
          actor,
          "discarded by the Discard button",
        );
        refusal = "refusal" in outcome ? outcome.refusal : undefined;
        break;
      }
      default:
        return "ignored";
    }
    // A button has no comment to answer: a refusal is a comment on the pull request, if any.
    if (refusal && number !== undefined) await replyWithRefusal(api, { number, actor }, refusal);
    log.info(
      { action: event.requested_action.identifier, refused: refusal?.kind },
      "check run action handled",
    );
    return "processed";
  };
}
