import type { DeliveryStore, IncomingDelivery, JobQueue } from "./ports.js";

export interface GithubEventJob {
  deliveryId: string;
}

/**
 * Durable intake: the delivery is recorded and its job queued before GitHub gets its answer, and
 * nothing else happens inside the webhook request. A failure to queue forgets the record, so the
 * redelivery GitHub makes after our 5xx is not mistaken for a duplicate.
 */
export async function acceptDelivery(
  deps: { deliveries: DeliveryStore; queue: JobQueue },
  delivery: IncomingDelivery,
): Promise<"queued" | "duplicate"> {
  if ((await deps.deliveries.record(delivery)) === "duplicate") return "duplicate";
  try {
    const job: GithubEventJob = { deliveryId: delivery.deliveryId };
    // Pushes of one repository are handled one at a time, in the order they arrived, so tracked
    // runs queue behind each other in commit order.
    const jobId =
      delivery.event === "push"
        ? await deps.queue.send("github-push", job, {
            singletonKey: `push:${delivery.repositoryFullName ?? ""}`,
          })
        : await deps.queue.send("github-event", job);
    if (jobId) await deps.deliveries.attachJob(delivery.deliveryId, jobId);
    return "queued";
  } catch (error) {
    await deps.deliveries.forget(delivery.deliveryId).catch(() => undefined);
    throw error;
  }
}
