import { type DriftTiming, driftTiming, effectiveDriftSchedule } from "../domain/drift-schedule.js";
import type { PlanDeps } from "./plan-deps.js";
import { startDriftCheck } from "./start-drift-check.js";

export interface DriftTickResult {
  /** Drift check runs started, one per environment that was due. */
  started: string[];
}

/**
 * One tick of the drift scheduler (the `drift-tick` queue's job, a minute apart across every
 * process: pg-boss's cron runs once per minute whatever the number of processes). Each
 * environment with a schedule (its tracked branch's `drift.schedule`, else BOSUN_DRIFT_SCHEDULE)
 * and something deployed gets its next check's time, and the checks that are due start.
 *
 * The schedules come from the database, where each push to the tracked branch records them
 * (src/services/track-push.ts): a tick reads nothing from GitHub to decide. Refreshing them from
 * GitHub at the tick would cost a request per scheduled repository every few minutes for nothing:
 * a tracked bosun.yml changes only by a push to its branch, and no bosun.yml could hold `drift`
 * before this version read it (unknown keys are errors), so none goes unrecorded.
 *
 * Starting a due check is a compare-and-set on the environment's next time (the claim), so two
 * ticks that overlap, on one process or two, start it once; an environment whose previous check
 * still runs, or with something confirmed or applying, is left due and tried at the next tick.
 */
export async function driftTick(
  deps: PlanDeps,
  input: { defaultSchedule: string | undefined; now: Date },
): Promise<DriftTickResult> {
  const started: string[] = [];
  for (const environment of await deps.drift.driftCandidates(input.defaultSchedule !== undefined)) {
    const schedule = effectiveDriftSchedule(environment.schedule, input.defaultSchedule);
    if (schedule === undefined) continue;
    const log = deps.log.child({
      repo: environment.repositoryFullName,
      environment: environment.environment,
    });
    let timing: DriftTiming;
    try {
      timing = driftTiming(schedule, environment.nextAt, input.now);
    } catch (error) {
      log.warn({ err: error, schedule }, "drift schedule has no time to come; not checked");
      continue;
    }
    if (timing.kind === "wait") continue;
    if (timing.kind === "schedule") {
      await deps.drift.scheduleDriftCheck(
        environment.environmentId,
        environment.nextAt,
        timing.nextAt,
      );
      continue;
    }
    if (
      !(await deps.drift.claimDriftCheck(
        environment.environmentId,
        environment.nextAt!,
        timing.nextAt,
      ))
    ) {
      log.info("drift check not started: claimed by another tick, or the environment is busy");
      continue;
    }
    // One environment's failure (GitHub unreachable, say) must not cost the others their check;
    // its own is skipped until its next time.
    try {
      const start = await startDriftCheck(deps, environment);
      if (start.kind === "started") {
        started.push(start.runId);
        log.info({ runId: start.runId, nextAt: timing.nextAt }, "drift check started");
      } else {
        log.info({ reason: start.reason }, "drift check skipped");
      }
    } catch (error) {
      log.error({ err: error, nextAt: timing.nextAt }, "drift check could not start");
    }
  }
  return { started };
}
