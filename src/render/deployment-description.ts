/** The short descriptions GitHub shows on a run's deployment and its statuses. */

export function deploymentDescription(runId: string): string {
  return `Bosun run ${runId}`;
}

export const APPLYING_DESCRIPTION = "Applying";

/** A deployment's final status: `status` is the run's (SUCCEEDED, FAILED, PARTIALLY_FAILED). */
export function deploymentOutcomeDescription(status: string): string {
  return status === "SUCCEEDED"
    ? "Applied by Bosun"
    : `Bosun run ${status.toLowerCase().replace("_", " ")}`;
}
