import type { ComponentPhase } from "../domain/component-phase.js";
import type { RunComponentRecord, RunStore } from "./run-port.js";

/** The actor named in the lifecycle transitions a component's job records. */
export const EXECUTOR_ACTOR = "bosun";

/**
 * Ends the component FAILED with a reason a user can act on. The transition is fenced by the job
 * id, so a job that lost its lease records nothing, not even the reason.
 */
export async function failRunComponent(
  deps: { runs: RunStore; jobId: string },
  record: RunComponentRecord,
  from: ComponentPhase,
  reason: string,
): Promise<void> {
  if (
    await deps.runs.transition(
      record.runComponentId,
      [from],
      "FAILED",
      reason,
      EXECUTOR_ACTOR,
      deps.jobId,
    )
  )
    await deps.runs.setFailureReason(record.runComponentId, reason);
}
