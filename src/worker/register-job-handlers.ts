import type { Logger } from "pino";
import type { GithubEventJob } from "../services/accept-delivery.js";
import type { RunComponentJob } from "../services/execute-run-component.js";
import type { JobHandler, JobQueue } from "../services/queue-port.js";
import type { ReportJob } from "./report-job-handler.js";

/** What this process does with a job of each queue. */
export interface JobHandlers {
  /** Both `github-event` and `github-push`: the delivery the job names is processed. */
  delivery: JobHandler<GithubEventJob>;
  component: JobHandler<RunComponentJob>;
  report: JobHandler<ReportJob>;
  /** `drift-tick`: due drift checks start. */
  driftTick: JobHandler<object>;
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
  deps.log.info({ concurrency: deps.concurrency }, "workers started");
}
