import type { Refusal } from "../../render/command-reply.js";
import { confirmPullRequest } from "../../services/apply-pull-request.js";
import { canWrite, type GithubRepoReader } from "../../services/github-port.js";
import { discardPullRequestRuns } from "../../services/discard-pull-request-runs.js";
import type { PlanDeps } from "../../services/plan-deps.js";
import { replyWithRefusal } from "../../services/reporter/index.js";
import { rerunRun } from "../../services/rerun-run.js";
import type { EventHandler } from "../process-delivery.js";
import { CheckRunEvent, repositoryOf } from "../translate-pull-request.js";

/**
 * The Apply and Discard buttons of a `bosun/<env>` check run, and GitHub's own "Re-run" of it
 * (`rerequested`), which re-runs the run the check shows as the run page's Re-run does.
 */
export function createCheckRunHandler(flow: PlanDeps): EventHandler {
  return async ({ payload, log }) => {
    // The services log with the delivery's id and repository.
    const deps: PlanDeps = { ...flow, log };
    const event = CheckRunEvent.parse(payload);
    const rerequested = event.action === "rerequested";
    if (!rerequested && (event.action !== "requested_action" || !event.requested_action))
      return "ignored";
    const repository = repositoryOf(event);
    const run = await deps.runViews.runByCheckRun(repository.id, event.check_run.id);
    if (!run) return "ignored";
    const actor = event.sender.login;
    const number = run.pullRequestNumber;
    const api = await deps.github(event.installation.id, repository.fullName);
    if (rerequested) {
      const refusal = await rerunFromCheck(deps, api, run.runId, actor);
      if (refusal && number !== undefined) await replyWithRefusal(api, { number, actor }, refusal);
      log.info({ action: "rerequested", refused: refusal?.kind }, "check run re-run handled");
      return "processed";
    }
    let refusal: Refusal | undefined;
    switch (event.requested_action?.identifier) {
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

/** GitHub's Re-run, with the run page's rule: only a writer re-runs. */
async function rerunFromCheck(
  deps: PlanDeps,
  api: GithubRepoReader,
  runId: string,
  actor: string,
): Promise<Refusal | undefined> {
  if (!canWrite(await api.permissionOf(actor))) {
    return { kind: "no-permission", user: actor, needed: "write", command: "Re-run" };
  }
  const outcome = await rerunRun(deps, { runId, actor });
  return outcome.kind === "refused" ? { kind: "rerun-refused", reason: outcome.reason } : undefined;
}
