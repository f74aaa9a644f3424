import type { Refusal } from "../render/command-reply.js";
import type { PlanDeps } from "./plan-deps.js";
import { requestReport } from "./reporter/index.js";
import { selectRuns } from "./select-runs.js";

/**
 * Discards what is not yet confirmed in the PR's latest runs (or the run a button or the HTTP API
 * names), and reports.
 * `proposedOnly`: leave tracked runs alone. A merge's `push` and `closed` webhooks come in either
 * order, and the tracked run the merge opened must wait for `/apply` on the merged pull request
 * whichever came first.
 */
export async function discardPullRequestRuns(
  deps: PlanDeps,
  request: {
    repository: { id: number };
    number: number | undefined;
    environment?: string | undefined;
    checkRunId?: number;
    runId?: string;
  },
  actor: string,
  cause: string,
  options: { proposedOnly?: boolean } = {},
): Promise<{ count: number } | { refusal: Refusal }> {
  const selected = await selectRuns(deps, request);
  if ("refusal" in selected) return selected;
  let count = 0;
  for (const view of selected.runs) {
    if (options.proposedOnly === true && view.kind === "tracked") continue;
    const discarded = await deps.runTransitions.discard(view.runId, actor, cause);
    if (discarded > 0) await requestReport(deps.queue, view.runId);
    count += discarded;
  }
  return { count };
}
