import type { RunReportStore } from "../../../src/services/run-report-port.js";
import type { InMemoryRunViewStore } from "./run-view-store.js";

/**
 * Writes what a run's report told GitHub onto the run views, where the next report reads it
 * back (a check run created once is then updated, not created again), and records each write.
 */
export class InMemoryRunReportStore implements RunReportStore {
  readonly writes: (
    | { kind: "check-run"; runId: string; checkRunId: number }
    | { kind: "deployment"; runId: string; deploymentId: number | undefined; state: string }
    | { kind: "digest"; runId: string; digest: string }
  )[] = [];

  constructor(private readonly views: InMemoryRunViewStore) {}

  async setCheckRun(runId: string, checkRunId: number): Promise<void> {
    this.writes.push({ kind: "check-run", runId, checkRunId });
    const run = this.views.stored(runId);
    if (run) run.checkRunId = checkRunId;
  }

  async setDeployment(
    runId: string,
    deploymentId: number | undefined,
    state: string,
  ): Promise<void> {
    this.writes.push({ kind: "deployment", runId, deploymentId, state });
    const run = this.views.stored(runId);
    if (run) {
      run.deploymentId = deploymentId;
      run.deploymentState = state;
    }
  }

  async setReportDigest(runId: string, digest: string): Promise<void> {
    this.writes.push({ kind: "digest", runId, digest });
    const run = this.views.stored(runId);
    if (run) run.reportDigest = digest;
  }
}
