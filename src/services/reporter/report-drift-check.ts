import { createHash } from "node:crypto";
import { isTerminal } from "../../domain/component-phase.js";
import { driftOutcome } from "../../domain/drift-outcome.js";
import { renderDriftIssue, renderDriftResolved } from "../../render/drift-issue.js";
import type { DriftStore } from "../drift-port.js";
import type { GithubGateway } from "../github-port.js";
import type { RunReportStore } from "../run-report-port.js";
import type { RunView } from "../run-view-port.js";

/**
 * A drift check's report: no check run (it belongs to no pull request, and a check on the old
 * commit it plans would mark a long-merged commit with a result nobody asked for there) and no
 * deployment (it never applies). Once the check has ended and its finding is the environment's
 * (src/services/conclude-drift-check.ts records it), the environment's issue follows the finding:
 * opened, or updated in place, while drift is found; closed, with a comment, by the first check
 * that finds none. An inconclusive check (a plan failed) leaves the issue as it is.
 */
export async function reportDriftCheck(
  deps: {
    drift: Pick<DriftStore, "driftStateOfRun" | "setDriftIssue">;
    runReports: Pick<RunReportStore, "setReportDigest">;
    github: GithubGateway;
    runLink: (runId: string) => string;
  },
  view: RunView,
): Promise<void> {
  if (!view.components.every((component) => isTerminal(component.phase))) return;
  const state = await deps.drift.driftStateOfRun(view.runId);
  if (state?.runId !== view.runId) return;
  const outcome = driftOutcome(view.components);
  // Each finding is told once, however often the run is reported again.
  const digest = `drift|${createHash("sha256").update(JSON.stringify(outcome)).digest("hex")}`;
  if (view.reportDigest === digest) return;
  const runUrl = deps.runLink(view.runId);
  const checkedAt = state.checkedAt ?? new Date();
  const api = await deps.github(view.installationId, view.repositoryFullName);
  if (outcome.kind === "drifted") {
    const commitOf = new Map(
      view.components.map((component) => [
        component.stack,
        component.spec.sourceSha ?? view.commitSha,
      ]),
    );
    const { title, body } = renderDriftIssue({
      environment: view.environment,
      runUrl,
      checkedAt,
      stacks: outcome.stacks.map((stack) => ({
        ...stack,
        commitSha: commitOf.get(stack.stack) ?? view.commitSha,
      })),
      reconcile: state.reconcile,
    });
    if (state.issueNumber === undefined) {
      await deps.drift.setDriftIssue(state.environmentId, await api.createIssue(title, body));
    } else {
      // Reopened if someone closed it while the drift lasts: one issue per environment.
      await api.updateIssue(state.issueNumber, { title, body, state: "open" });
    }
  } else if (outcome.kind === "clean" && state.issueNumber !== undefined) {
    // Closed before the comment: a retry after a failed comment closes again (a no-op) rather
    // than commenting twice.
    await api.updateIssue(state.issueNumber, { state: "closed", stateReason: "completed" });
    await api.createComment(
      state.issueNumber,
      renderDriftResolved({ environment: view.environment, runUrl, checkedAt }),
    );
    await deps.drift.setDriftIssue(state.environmentId, undefined);
  }
  await deps.runReports.setReportDigest(view.runId, digest);
}
