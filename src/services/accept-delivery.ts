import { randomUUID } from "node:crypto";
import { batchCalls } from "../lib/batch-calls.js";
import type { DeliveryStore, IncomingDelivery } from "./delivery-port.js";
import type { InTransaction, JobToQueue, TransactionalQueue } from "./queue-port.js";

export interface GithubEventJob {
  deliveryId: string;
}

export type AcceptOutcome = "queued" | "duplicate";

type AcceptDeps = {
  deliveries: DeliveryStore;
  queue: TransactionalQueue;
  inTransaction: InTransaction;
};

/**
 * Durable intake of a batch: the deliveries and their jobs are written in one transaction before
 * GitHub gets its answers, and nothing else happens inside the webhook requests. For each delivery
 * both exist or neither does, so the redelivery GitHub makes after our 5xx is not mistaken for a
 * duplicate. A delivery id seen before (or twice in the batch) is a duplicate and queues nothing.
 */
export async function acceptDeliveries(
  deps: AcceptDeps,
  deliveries: readonly IncomingDelivery[],
): Promise<AcceptOutcome[]> {
  const withJobs = deliveries.map((delivery) => ({ ...delivery, jobId: randomUUID() }));
  const outcomes = await deps.inTransaction(async (transaction) => {
    const recorded = await deps.deliveries.record(transaction, withJobs);
    const pending = withJobs.filter((delivery) => recorded.has(delivery.jobId));
    if (pending.length > 0) {
      const queued = new Set(await deps.queue.sendAll(pending.map(jobFor), transaction));
      const refused = pending.filter((delivery) => !queued.has(delivery.jobId));
      if (refused.length > 0) {
        const ids = refused.map((delivery) => delivery.deliveryId).join(", ");
        throw new Error(`queueing deliveries ${ids}: the job queue refused their jobs`);
      }
    }
    return withJobs.map((delivery) => (recorded.has(delivery.jobId) ? "queued" : "duplicate"));
  });
  const queued = withJobs.filter((_, index) => outcomes[index] === "queued");
  if (queued.length > 0)
    deps.queue.wake([...new Set(queued.map((delivery) => jobFor(delivery).name))]);
  return outcomes;
}

function jobFor(delivery: IncomingDelivery & { jobId: string }): JobToQueue {
  const id = delivery.jobId;
  const data: GithubEventJob = { deliveryId: delivery.deliveryId };
  // Pushes of one repository are handled one at a time, in the order they arrived, so tracked
  // runs queue behind each other in commit order.
  return delivery.event === "push"
    ? {
        name: "github-push",
        id,
        data,
        singletonKey: `push:${delivery.repositoryFullName ?? ""}`,
      }
    : { name: "github-event", id, data };
}

/**
 * One delivery at a time for the webhook handler, batched underneath: deliveries arriving while
 * earlier transactions are in flight share the next one, and with it one commit, which is most of
 * what intake costs the database. A failed batch is retried delivery by delivery, so one delivery
 * the database refuses gets its own 503 and the others their 2xx.
 */
export function createDeliveryAcceptor(
  deps: AcceptDeps,
  options: { maxBatch: number; maxInFlight: number } = { maxBatch: 64, maxInFlight: 4 },
): (delivery: IncomingDelivery) => Promise<AcceptOutcome> {
  return batchCalls((batch: IncomingDelivery[]) => acceptDeliveries(deps, batch), options);
}
