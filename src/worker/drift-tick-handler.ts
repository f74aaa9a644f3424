import { driftTick } from "../services/drift-tick.js";
import type { PlanDeps } from "../services/plan-deps.js";
import type { JobHandler } from "../services/queue-port.js";

/**
 * The handler of `drift-tick` jobs, which pg-boss's cron queues every minute: due drift checks
 * start. The job carries nothing; the time is the tick's own.
 */
export function driftTickHandler(deps: {
  flow: PlanDeps;
  /** BOSUN_DRIFT_SCHEDULE. */
  defaultSchedule: string | undefined;
}): JobHandler<object> {
  return async () => {
    await driftTick(deps.flow, { defaultSchedule: deps.defaultSchedule, now: new Date() });
  };
}
