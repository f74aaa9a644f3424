import { confirmedApplyingOutput } from "../../render/confirmed-output.js";
import {
  APPLYING_DESCRIPTION,
  deploymentDescription,
} from "../../render/deployment-description.js";
import type { GithubRepoWriter } from "../github-port.js";
import type { RunView } from "../run-view-port.js";
import { reportCheckRun, type ReportDeps } from "./report-run.js";

/**
 * A confirmed run on GitHub: a deployment for the environment, in progress; the check run that
 * asked for approval closed; a fresh check run showing the apply.
 */
export async function reportApplying(
  deps: ReportDeps,
  api: GithubRepoWriter,
  run: RunView,
  confirmed: readonly string[],
): Promise<void> {
  const logUrl = deps.runLink(run.runId);
  const deploymentId = await api.createDeployment({
    ref: run.commitSha,
    environment: run.environment,
    production: run.production,
    description: deploymentDescription(run.runId),
    payload: {
      runId: run.runId,
      components: run.components
        .filter((c) => confirmed.includes(c.runComponentId))
        .map((c) => c.stack),
    },
  });
  await api.setDeploymentStatus(deploymentId, "in_progress", {
    logUrl,
    description: APPLYING_DESCRIPTION,
    environment: run.environment,
  });
  await deps.runReports.setDeployment(run.runId, deploymentId, "in_progress");
  // The check run that asked for approval is done with: it must not keep offering Apply and
  // Discard for a plan that is now applying (a completed check run is not reopened; the apply
  // shows on a fresh one).
  if (run.checkRunId !== undefined) {
    await api.updateCheckRun(run.checkRunId, {
      status: "completed",
      conclusion: "neutral",
      ...confirmedApplyingOutput(run.environment, logUrl),
      text: "",
      actions: [],
      detailsUrl: logUrl,
      annotations: [],
    });
  }
  const view = await deps.runViews.runView(run.runId);
  if (view) await reportCheckRun(deps, api, view, { fresh: true });
}
