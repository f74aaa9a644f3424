import {
  executeRunComponent,
  type ExecutorDeps,
  type RunComponentJob,
} from "../services/execute-run-component.js";
import type { JobHandler } from "../services/queue-port.js";

/**
 * The handler of `run-component` jobs: the component is planned or applied under the job's id
 * (its lease token), then the run moves on.
 */
export function componentJobHandler(deps: {
  executor: ExecutorDeps;
  advance: (runComponentId: string) => Promise<void>;
}): JobHandler<RunComponentJob> {
  return async (job) => {
    await executeRunComponent(deps.executor, job.data, job.id);
    await deps.advance(job.data.runComponentId);
  };
}
