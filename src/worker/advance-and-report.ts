import { advanceRun } from "../services/advance-run.js";
import type { PlanDeps } from "../services/plan-deps.js";
import { requestReport } from "../services/reporter/index.js";

/**
 * After a component's job, or its recovery: the run moves on (next wave, dependents BLOCKED) and
 * every run it touched is reported.
 */
export function advanceAndReport(flow: PlanDeps): (runComponentId: string) => Promise<void> {
  return async (runComponentId) => {
    for (const runId of await advanceRun(flow, runComponentId)) {
      await requestReport(flow.queue, runId);
    }
  };
}
