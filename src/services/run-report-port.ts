/** What a run's report last told GitHub: its check run, its deployment and the digest sent. */
export interface RunReportStore {
  setCheckRun(runId: string, checkRunId: number): Promise<void>;
  setDeployment(runId: string, deploymentId: number | undefined, state: string): Promise<void>;
  setReportDigest(runId: string, digest: string): Promise<void>;
}
