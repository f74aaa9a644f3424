import type { ApplicationFunction } from "probot";
import type { Logger } from "pino";
import { z } from "zod";
import { acceptDelivery } from "../services/accept-delivery.js";
import type { DeliveryStore, JobQueue } from "../services/ports.js";
import { isHandledEvent } from "./webhook-events.js";

/** The payload fields intake relies on; handlers validate the rest when they run. */
const DeliveryEnvelope = z.object({
  action: z.string().optional(),
  installation: z.object({ id: z.number().int().positive() }),
  repository: z.object({ full_name: z.string().min(3) }).optional(),
});

/** An error whose `status` the webhook middleware answers GitHub with. */
export class IntakeError extends Error {
  override readonly name = "IntakeError";
  constructor(
    message: string,
    readonly status: 400 | 503,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Verifies nothing itself (Probot checks the HMAC before any handler runs): it records the
 * delivery and queues it. GitHub gets 2xx only once the job is durable, 400 for a payload Bosun
 * cannot use, and 503 when the database is unavailable, so that it redelivers.
 */
export function createIntakeApp(deps: {
  deliveries: DeliveryStore;
  queue: JobQueue;
  log: Logger;
}): ApplicationFunction {
  return (app) => {
    app.onAny(async (event) => {
      const log = deps.log.child({ deliveryId: event.id, event: event.name });
      if (!isHandledEvent(event.name)) {
        log.debug("event not used by Bosun; acknowledged");
        return;
      }
      const envelope = DeliveryEnvelope.safeParse(event.payload);
      if (!envelope.success) {
        const problems = envelope.error.issues
          .map((issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`)
          .join("; ");
        log.warn({ problems }, "delivery rejected: payload lacks fields Bosun relies on");
        throw new IntakeError(`delivery ${event.id} (${event.name}) rejected: ${problems}`, 400);
      }
      try {
        const outcome = await acceptDelivery(deps, {
          deliveryId: event.id,
          event: event.name,
          action: envelope.data.action,
          installationId: envelope.data.installation.id,
          repositoryFullName: envelope.data.repository?.full_name,
          payload: event.payload,
        });
        log.info({ outcome, action: envelope.data.action }, "delivery accepted");
      } catch (cause) {
        log.error({ err: cause }, "delivery not stored; GitHub will be asked to redeliver");
        throw new IntakeError(`delivery ${event.id} could not be stored; retry later`, 503, {
          cause,
        });
      }
    });
  };
}
