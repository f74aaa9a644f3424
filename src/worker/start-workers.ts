import type { Logger } from "pino";
import type { GithubEventJob } from "../services/accept-delivery.js";
import type { RunComponentJob } from "../services/execute-run-component.js";
import type { JobQueue } from "../services/queue-port.js";

/** Consumes both queues, `concurrency` jobs of each at once in this process. */
export async function startWorkers(deps: {
  queue: JobQueue;
  concurrency: number;
  processDelivery: (deliveryId: string) => Promise<void>;
  executeJob: (job: RunComponentJob, jobId: string) => Promise<unknown>;
  reportJob: (job: { runId: string }) => Promise<unknown>;
  log: Logger;
}): Promise<void> {
  if (deps.concurrency === 0) return;
  await deps.queue.work<GithubEventJob>("github-event", deps.concurrency, async (job) => {
    await deps.processDelivery(job.data.deliveryId);
  });
  await deps.queue.work<GithubEventJob>("github-push", deps.concurrency, async (job) => {
    await deps.processDelivery(job.data.deliveryId);
  });
  await deps.queue.work<RunComponentJob>("run-component", deps.concurrency, async (job) => {
    await deps.executeJob(job.data, job.id);
  });
  await deps.queue.work<{ runId: string }>("report-run", deps.concurrency, async (job) => {
    await deps.reportJob(job.data);
  });
  deps.log.info({ concurrency: deps.concurrency }, "workers started");
}
