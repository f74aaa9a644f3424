import { deliverNotification, type DeliverDeps } from "../services/deliver-notification.js";
import type { JobHandler } from "../services/queue-port.js";
import type { NotifyDeliveryJob } from "../services/record-run-notifications.js";

/** Attempts of one target in flight at once, in one process. */
export const PER_TARGET_LIMIT = 2;

/**
 * The handler of `notify-delivery` jobs. A target that already has PER_TARGET_LIMIT attempts in
 * flight in this process (a receiver that hangs until the timeout, say) gets its job put back a
 * second later instead of taking another worker: a dead target slows nothing else.
 */
export function notifyDeliveryHandler(
  deps: DeliverDeps,
  limit = PER_TARGET_LIMIT,
): JobHandler<NotifyDeliveryJob> {
  const inFlight = new Map<string, number>();
  return async (job) => {
    const { deliveryId, targetKey } = job.data;
    const busy = inFlight.get(targetKey) ?? 0;
    if (busy >= limit) {
      await deps.queue.send("notify-delivery", job.data, { startAfterSeconds: 1 });
      return;
    }
    inFlight.set(targetKey, busy + 1);
    try {
      await deliverNotification(deps, deliveryId);
    } finally {
      const left = (inFlight.get(targetKey) ?? 1) - 1;
      if (left === 0) inFlight.delete(targetKey);
      else inFlight.set(targetKey, left);
    }
  };
}
