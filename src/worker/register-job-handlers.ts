import type { Logger } from "pino";
import type { GithubEventJob } from "../services/accept-delivery.js";
import type { RunComponentJob } from "../services/execute-run-component.js";
import type { JobHandler, JobQueue } from "../services/queue-port.js";
import type { NotifyDeliveryJob } from "../services/record-run-notifications.js";
import type { ReportJob } from "./report-job-handler.js";

/** What this process does with a job of each queue. */
export interface JobHandlers {
  /** Both `github-event` and `github-push`: the delivery the job names is processed. */
  delivery: JobHandler<GithubEventJob>;
  component: JobHandler<RunComponentJob>;
  report: JobHandler<ReportJob>;
  /** `drift-tick`: due drift checks start. */
  driftTick: JobHandler<object>;
  /** `notify-run`: the run's new events are recorded and their deliveries queued. */
  notifyRun: JobHandler<ReportJob>;
  /** `notify-delivery`: one attempt at one delivery. */
  notifyDelivery: JobHandler<NotifyDeliveryJob>;
  /** `notify-sweep`: deliveries without a job are queued. */
  notifySweep: JobHandler<object>;
  /** `collect-garbage`: what BOSUN_RETENTION_* says is too old is deleted. */
  collectGarbage: JobHandler<object>;
}

/** Consumes every queue, `concurrency` jobs of each at once in this process. */
export async function registerJobHandlers(deps: {
  queue: JobQueue;
  concurrency: number;
  handlers: JobHandlers;
  log: Logger;
}): Promise<void> {
  if (deps.concurrency === 0) return;
  await deps.queue.work("github-event", deps.concurrency, deps.handlers.delivery);
  await deps.queue.work("github-push", deps.concurrency, deps.handlers.delivery);
  await deps.queue.work("run-component", deps.concurrency, deps.handlers.component);
  await deps.queue.work("report-run", deps.concurrency, deps.handlers.report);
  // A tick a minute, which takes a moment: one worker is plenty.
  await deps.queue.work("drift-tick", 1, deps.handlers.driftTick);
  await deps.queue.work("notify-run", deps.concurrency, deps.handlers.notifyRun);
  // Attempts mostly wait on other servers: more of them than of anything else, so that a few
  // slow receivers (each bounded per target, src/worker/notify-delivery-handler.ts) leave room.
  await deps.queue.work("notify-delivery", deps.concurrency * 4, deps.handlers.notifyDelivery);
  await deps.queue.work("notify-sweep", 1, deps.handlers.notifySweep);
  await deps.queue.work("collect-garbage", 1, deps.handlers.collectGarbage);
  deps.log.info({ concurrency: deps.concurrency }, "workers started");
}
