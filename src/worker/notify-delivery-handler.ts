import { deliverNotification, type DeliverDeps } from "../services/deliver-notification.js";
import type { JobHandler } from "../services/queue-port.js";
import type { NotifyDeliveryJob } from "../services/record-run-notifications.js";

/**
 * Jobs of one target held by this process at once: one attempt in flight and one waiting its
 * turn, so that a target that hangs until the timeout holds two workers, never all of them. (The
 * order a run's events reach a target is kept by the outbox itself, across processes: see
 * src/services/deliver-notification.ts.)
 */
export const PER_TARGET_LIMIT = 2;

/**
 * The handler of `notify-delivery` jobs. A job whose target already has PER_TARGET_LIMIT jobs held
 * in this process is put back a second later instead of taking another worker: a dead target
 * slows nothing else.
 */
export function notifyDeliveryHandler(
  deps: DeliverDeps,
  limit = PER_TARGET_LIMIT,
): JobHandler<NotifyDeliveryJob> {
  const held = new Map<string, { count: number; tail: Promise<void> }>();
  return async (job) => {
    const { deliveryId, targetKey } = job.data;
    const target = held.get(targetKey) ?? { count: 0, tail: Promise.resolve() };
    if (target.count >= limit) {
      await deps.queue.send("notify-delivery", job.data, { startAfterSeconds: 1 });
      return;
    }
    target.count += 1;
    held.set(targetKey, target);
    const turn = target.tail.then(() => deliverNotification(deps, deliveryId));
    target.tail = turn.catch(() => undefined);
    try {
      await turn;
    } finally {
      target.count -= 1;
      if (target.count === 0) held.delete(targetKey);
    }
  };
}
