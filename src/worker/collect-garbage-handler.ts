import type { Logger } from "pino";
import type { RetentionSettings } from "../domain/retention.js";
import { collectGarbage } from "../services/collect-garbage.js";
import type { JobHandler } from "../services/queue-port.js";
import type { RetentionTargets } from "../services/retention-port.js";

/**
 * The handler of `collect-garbage` jobs, which pg-boss's cron queues once a day: what the
 * retention settings say is too old is deleted. The job carries nothing; the time is the job's own.
 */
export function collectGarbageHandler(deps: {
  targets: RetentionTargets;
  settings: RetentionSettings;
  log: Logger;
}): JobHandler<object> {
  return async () => {
    await collectGarbage(
      { targets: deps.targets, log: deps.log },
      { settings: deps.settings, now: new Date(), dryRun: false },
    );
  };
}
