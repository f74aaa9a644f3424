import type { Logger } from "pino";
import type { GithubEventJob } from "./accept-delivery.js";
import type { DeliveryStore } from "./delivery-port.js";
import type { JobQueue } from "./queue-port.js";

/** Long enough that a live intake request has certainly queued its job or failed. */
const ORPHAN_AGE_MS = 60_000;

/** Deliveries recorded by a process that died before it queued them get their job now. */
export async function requeueOrphanedDeliveries(deps: {
  deliveries: DeliveryStore;
  queue: JobQueue;
  log: Logger;
  now?: Date;
}): Promise<number> {
  const now = deps.now ?? new Date();
  const orphans = await deps.deliveries.unqueued(new Date(now.getTime() - ORPHAN_AGE_MS));
  for (const deliveryId of orphans) {
    const job: GithubEventJob = { deliveryId };
    const jobId = await deps.queue.send("github-event", job);
    if (jobId) await deps.deliveries.attachJob(deliveryId, jobId);
  }
  if (orphans.length > 0)
    deps.log.warn({ count: orphans.length }, "requeued deliveries left unqueued");
  return orphans.length;
}
