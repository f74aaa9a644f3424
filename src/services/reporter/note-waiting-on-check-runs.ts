import { renderRefusal, type Refusal } from "../../render/command-reply.js";
import { waitingNoteSummary } from "../../render/waiting-note-summary.js";
import type { GithubRepoWriter } from "../github-port.js";
import type { RunView } from "../run-view-port.js";
import { checkRunContent, type ReportDeps } from "./report-run.js";

/**
 * Shows on each waiting run's check run what its apply waits for, as the refusal says it. The
 * run's next report replaces it (the stored report digest is left as it was).
 */
export async function noteWaitingOnCheckRuns(
  deps: ReportDeps,
  api: GithubRepoWriter,
  runs: readonly RunView[],
  refusal: Refusal,
): Promise<void> {
  for (const run of runs) {
    if (run.checkRunId === undefined) continue;
    if (!run.components.some((component) => component.phase === "UNCONFIRMED")) continue;
    const content = await checkRunContent(deps, run);
    await api.updateCheckRun(run.checkRunId, {
      ...content,
      summary: waitingNoteSummary(content.summary, renderRefusal(refusal)),
      // Sent with the update that completed the run; GitHub would show them twice.
      annotations: [],
    });
  }
}
