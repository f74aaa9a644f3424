import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { ComponentPhase } from "../../domain/component-phase.js";
import { currentWave } from "../../domain/dependency-waves.js";
import { deriveRunStatus } from "../../domain/run-status.js";
import { renderAnnotations } from "../../render/annotations.js";
import { renderCheckRun } from "../../render/check-run-output.js";
import { deploymentOutcomeDescription } from "../../render/deployment-description.js";
import { renderPrComment } from "../../render/pr-comment.js";
import { renderUnusedComment } from "../../render/unused-comment.js";
import { buildChangesetReport } from "../build-changeset-report.js";
import { reportDriftCheck } from "./report-drift-check.js";
import type { ComponentStore } from "../component-port.js";
import type { DriftStore } from "../drift-port.js";
import type { PullRequestStore } from "../pull-request-port.js";
import type { RunReportStore } from "../run-report-port.js";
import type { RunView, RunViewStore } from "../run-view-port.js";
import type { JobQueue } from "../queue-port.js";
import type {
  CheckRunContent,
  DeploymentState,
  GithubGateway,
  GithubRepoWriter,
} from "../github-port.js";

export const PR_COMMENT_MARKER = "bosun:pr-comment";

const ACTIVE: readonly ComponentPhase[] = [
  "QUEUED",
  "PREPARING",
  "INITIALIZING",
  "PLANNING",
  "CONFIRMED",
  "APPLYING",
];

export interface ReportDeps {
  runViews: RunViewStore;
  runReports: RunReportStore;
  /** The pull request's comment: its ids and digest. */
  pullRequests: Pick<PullRequestStore, "pullRequest" | "setComments">;
  /** The components' deployed heads, which the report compares against. */
  components: Pick<ComponentStore, "deployedHeads">;
  /** A drift check's finding, and the issue that tracks the environment's drift. */
  drift: Pick<DriftStore, "driftStateOfRun" | "setDriftIssue">;
  github: GithubGateway;
  publicUrl: string;
  /** The signed URL of a run's page (src/lib/signed-link.ts), for check runs, comments and deployments. */
  runLink: (runId: string) => string;
  log: Logger;
}

const sha256 = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

/**
 * Brings GitHub in line with the run: its check run, its deployment's status, and the pull
 * request's comment. Content that did not change since the last report is not sent again, so a
 * burst of component updates costs one request per surface, whatever the number of components.
 */
export async function reportRun(deps: ReportDeps, runId: string): Promise<void> {
  const view = await deps.runViews.runView(runId);
  if (!view) return;
  if (view.kind === "drift") {
    await reportDriftCheck(deps, view);
    return;
  }
  // While components are still moving, GitHub hears only of a change of check-run status
  // (queued → in progress) or of the dependency wave the run has reached: the details follow once
  // the run is at rest, so a run's report costs the same whatever the number of components.
  // Progress line by line is on the run page.
  const moving = view.components.some((component) => ACTIVE.includes(component.phase));
  const content = await checkRunContent(deps, view);
  if (moving && view.reportDigest?.startsWith(progressOf(view, content))) return;
  const api = await deps.github(view.installationId, view.repositoryFullName);
  const firstReport = view.checkRunId === undefined;
  await reportCheckRun(deps, api, view, { content });
  await reportDeployment(deps, api, view);
  // The pull request's comment is written once the run is at rest: its check run already links
  // the run page while it moves. Only a run's first report touches a comment that exists, so it
  // never goes on showing a superseded plan as the current one.
  if (view.pullRequestNumber !== undefined && (!moving || firstReport))
    await reportPullRequest(deps, api, view.repositoryId, view.pullRequestNumber, {
      create: !moving,
    });
}

async function currentHeads(deps: ReportDeps, view: RunView) {
  return deps.components.deployedHeads(view.components.map((component) => component.componentId));
}

export async function checkRunContent(
  deps: ReportDeps,
  view: RunView,
  headSha?: string,
): Promise<CheckRunContent> {
  const report = buildChangesetReport(view, {
    runUrl: deps.runLink(view.runId),
    currentHeads: await currentHeads(deps, view),
    headSha,
  });
  const rendered = renderCheckRun(report);
  return {
    status: rendered.status,
    conclusion: rendered.conclusion,
    title: rendered.output.title,
    summary: rendered.output.summary,
    text: rendered.output.text,
    actions: [...rendered.actions],
    detailsUrl: rendered.detailsUrl,
    annotations: renderAnnotations(report),
  };
}

/** The start of a report's digest: its check-run status, then the run's current wave. */
function progressOf(view: RunView, content: CheckRunContent): string {
  return `${content.status}|wave ${currentWave(view.components)}|`;
}

/**
 * Creates or updates the run's check run. `fresh`: a new check run of the same name even though
 * one exists (docs/design.md: confirmed and applying show as a fresh check run once the last completed).
 */
export async function reportCheckRun(
  deps: ReportDeps,
  api: GithubRepoWriter,
  view: RunView,
  options: { fresh?: boolean; content?: CheckRunContent } = {},
): Promise<void> {
  const content = options.content ?? (await checkRunContent(deps, view));
  const digest = `${progressOf(view, content)}${sha256(content)}`;
  const creating = view.checkRunId === undefined || options.fresh === true;
  if (!creating && digest === view.reportDigest) return;
  // GitHub appends the annotations of every update: send them once, when the run first completes.
  const completedBefore = !creating && view.reportDigest?.startsWith("completed|") === true;
  const sent =
    completedBefore || content.status !== "completed" ? { ...content, annotations: [] } : content;
  if (creating) {
    const id = await api.createCheckRun(
      view.commitSha,
      `bosun/${view.environment}`,
      sent,
      view.runId,
    );
    await deps.runReports.setCheckRun(view.runId, id);
  } else {
    await api.updateCheckRun(view.checkRunId!, sent);
  }
  await deps.runReports.setReportDigest(view.runId, digest);
}

async function reportDeployment(
  deps: ReportDeps,
  api: GithubRepoWriter,
  view: RunView,
): Promise<void> {
  if (view.deploymentId === undefined) return;
  const status = deriveRunStatus(view.components);
  const state: DeploymentState | undefined =
    status === "SUCCEEDED"
      ? "success"
      : status === "FAILED" || status === "PARTIALLY_FAILED"
        ? "failure"
        : undefined;
  if (!state || view.deploymentState === state) return;
  await api.setDeploymentStatus(view.deploymentId, state, {
    logUrl: deps.runLink(view.runId),
    description: deploymentOutcomeDescription(status),
    environment: view.environment,
  });
  await deps.runReports.setDeployment(view.runId, undefined, state);
}

/**
 * One comment per pull request, edited in place; continuation comments only past GitHub's size
 * limit. With `create: false` only a comment that exists is brought up to date.
 */
async function reportPullRequest(
  deps: ReportDeps,
  api: GithubRepoWriter,
  repositoryId: number,
  number: number,
  options: { create: boolean } = { create: true },
): Promise<void> {
  const pr = await deps.pullRequests.pullRequest(repositoryId, number);
  if (!pr || (!options.create && pr.commentIds.length === 0)) return;
  const views = await deps.runViews.latestRunsOfPullRequest(repositoryId, number);
  if (views.length === 0) return;
  const reports = await Promise.all(
    views.map(async (view) =>
      buildChangesetReport(view, {
        runUrl: deps.runLink(view.runId),
        currentHeads: await currentHeads(deps, view),
        headSha: pr.headSha,
      }),
    ),
  );
  const bodies = renderPrComment(reports, { marker: PR_COMMENT_MARKER });
  const digest = sha256(bodies);
  if (digest === pr.commentDigest) return;
  const ids = [...pr.commentIds];
  for (const [index, body] of bodies.entries()) {
    const id = ids[index];
    if (id === undefined) ids.push(await api.createComment(number, body));
    else await api.updateComment(id, body);
  }
  // Continuations no longer needed are emptied rather than deleted: their ids stay reusable.
  for (const id of ids.slice(bodies.length))
    await api.updateComment(id, renderUnusedComment(PR_COMMENT_MARKER));
  await deps.pullRequests.setComments(repositoryId, number, ids, digest);
}

/**
 * Asks for a report of the run on the report queue, where at most one report of a run runs at a
 * time: reports written concurrently could leave GitHub showing an older state than the last.
 * The run's notifications are recorded the same way, on a queue of their own, so that GitHub
 * being slow or failing delays no notification (src/services/record-run-notifications.ts).
 */
export async function requestReport(queue: JobQueue, runId: string): Promise<void> {
  await queue.send("report-run", { runId }, { singletonKey: runId });
  await queue.send("notify-run", { runId }, { singletonKey: runId });
}
