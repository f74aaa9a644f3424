import type { Logger } from "pino";
import type { GithubEventJob } from "../services/accept-delivery.js";
import type { JobQueue } from "../services/ports.js";

/** Consumes webhook jobs: `concurrency` of them at once in this process. */
export async function startWorkers(deps: {
  queue: JobQueue;
  concurrency: number;
  processDelivery: (deliveryId: string) => Promise<void>;
  log: Logger;
}): Promise<void> {
  if (deps.concurrency === 0) return;
  await deps.queue.work<GithubEventJob>("github-event", deps.concurrency, async (job) => {
    await deps.processDelivery(job.data.deliveryId);
  });
  deps.log.info({ concurrency: deps.concurrency }, "workers started");
}
