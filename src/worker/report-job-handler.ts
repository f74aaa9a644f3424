import type { JobHandler } from "../services/queue-port.js";
import { reportRun, type ReportDeps } from "../services/reporter/index.js";

/** A `report-run` job: the run whose check runs and comment are brought up to date. */
export interface ReportJob {
  runId: string;
}

/** The handler of `report-run` jobs: the run is reported to GitHub as it now stands. */
export function reportJobHandler(deps: ReportDeps): JobHandler<ReportJob> {
  return async (job) => {
    await reportRun(deps, job.data.runId);
  };
}
