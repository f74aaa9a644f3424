import type { IncomingMessage, ServerResponse } from "node:http";
import { createNodeMiddleware, Webhooks } from "@octokit/webhooks";
import type { Logger } from "pino";
import { z } from "zod";
import type { AcceptOutcome } from "../services/accept-delivery.js";
import type { IncomingDelivery } from "../services/delivery-port.js";
import { MAX_PAYLOAD_DEPTH, payloadDepth, withoutNulCharacters } from "./storable-payload.js";
import { isHandledEvent } from "./webhook-events.js";

/** The payload fields intake relies on; handlers validate the rest when they run. */
const DeliveryEnvelope = z.object({
  action: z.string().optional(),
  installation: z.object({ id: z.number().int().positive() }),
  repository: z.object({ full_name: z.string().min(3) }).optional(),
});

/**
 * What makes a verified payload unusable, or undefined when Bosun can take it: it must be a JSON
 * object nested no deeper than {@link MAX_PAYLOAD_DEPTH}, and a handled event's must carry the
 * envelope fields. Probot itself fails with 500 on a payload that is not an object.
 */
export function deliveryProblems(eventName: string, payload: unknown): string | undefined {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    return "payload: expected a JSON object";
  }
  if (payloadDepth(payload) > MAX_PAYLOAD_DEPTH) {
    return `payload: nested deeper than ${MAX_PAYLOAD_DEPTH} levels`;
  }
  if (!isHandledEvent(eventName)) return undefined;
  const envelope = DeliveryEnvelope.safeParse(payload);
  if (envelope.success) return undefined;
  return envelope.error.issues
    .map((issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`)
    .join("; ");
}

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
 * The webhook endpoint: @octokit/webhooks checks the HMAC before the handler runs, and the handler
 * records the delivery and queues it. GitHub gets 2xx only once the job is durable, 400 for a
 * payload Bosun cannot use, and 503 when the database is unavailable, so that it redelivers.
 * Probot's own middleware is not used here: it builds an authenticated Octokit for every event,
 * which intake never calls and which cost more than the rest of the request.
 */
export function createIntakeMiddleware(deps: {
  secret: string;
  path: string;
  /** Records the delivery and queues its job, durably (createDeliveryAcceptor). */
  accept: (delivery: IncomingDelivery) => Promise<AcceptOutcome>;
  log: Logger;
}): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const webhooks = new Webhooks({ secret: deps.secret });
  webhooks.onAny(async (event) => {
    const log = deps.log.child({ deliveryId: event.id, event: event.name });
    if (!isHandledEvent(event.name)) {
      log.debug("event not used by Bosun; acknowledged");
      return;
    }
    const problems = deliveryProblems(event.name, event.payload);
    const envelope = DeliveryEnvelope.safeParse(event.payload);
    if (problems !== undefined || !envelope.success) {
      log.warn({ problems }, "delivery rejected: payload lacks fields Bosun relies on");
      throw new IntakeError(`delivery ${event.id} (${event.name}) rejected: ${problems}`, 400);
    }
    try {
      const outcome = await deps.accept({
        deliveryId: event.id,
        event: event.name,
        action: envelope.data.action,
        installationId: envelope.data.installation.id,
        repositoryFullName: envelope.data.repository?.full_name,
        payload: withoutNulCharacters(event.payload),
      });
      log.info({ outcome, action: envelope.data.action }, "delivery accepted");
    } catch (cause) {
      log.error({ err: cause }, "delivery not stored; GitHub will be asked to redeliver");
      throw new IntakeError(`delivery ${event.id} could not be stored; retry later`, 503, {
        cause,
      });
    }
  });
  return createNodeMiddleware(webhooks, { path: deps.path, log: deps.log });
}
