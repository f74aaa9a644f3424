import type { Logger } from "pino";
import type { Probot } from "probot";
import { z } from "zod";
import type { DeliveryOutcome, DeliveryStore } from "../services/delivery-port.js";
import { type HandledEvent, isHandledEvent } from "./webhook-events.js";

export type InstallationOctokit = Awaited<ReturnType<Probot["auth"]>>;

export interface EventInput {
  deliveryId: string;
  action: string | undefined;
  payload: unknown;
  /** Resolved on first use: handlers that only touch the database never mint a token. */
  octokit: () => Promise<InstallationOctokit>;
  log: Logger;
}
export type EventHandler = (input: EventInput) => Promise<DeliveryOutcome>;
export type EventHandlers = Partial<Record<HandledEvent, EventHandler>>;

/** Raised for a payload that is well-formed JSON but not what the handler needs: never retried. */
export class RejectedDelivery extends Error {
  override readonly name = "RejectedDelivery";
}

/**
 * The worker's side of intake: loads a queued delivery and runs its handler with an
 * installation-scoped client. A handler's thrown error makes the job retry; a rejection does not.
 */
export function createDeliveryProcessor(deps: {
  probot: Probot;
  deliveries: DeliveryStore;
  handlers: EventHandlers;
  log: Logger;
}): (deliveryId: string) => Promise<void> {
  return async (deliveryId) => {
    const delivery = await deps.deliveries.load(deliveryId);
    const log = deps.log.child({ deliveryId, event: delivery?.event });
    if (!delivery) {
      log.warn("queued delivery not found; nothing to do");
      return;
    }
    const handler = isHandledEvent(delivery.event) ? deps.handlers[delivery.event] : undefined;
    if (!handler) {
      await deps.deliveries.finish(deliveryId, "ignored");
      return;
    }
    const installationId = delivery.installationId;
    let octokit: Promise<InstallationOctokit> | undefined;
    try {
      const outcome = await handler({
        deliveryId,
        action: delivery.action,
        payload: delivery.payload,
        octokit: () => (octokit ??= deps.probot.auth(installationId)),
        log: log.child({ repo: delivery.repositoryFullName }),
      });
      await deps.deliveries.finish(deliveryId, outcome);
    } catch (error) {
      if (error instanceof RejectedDelivery || error instanceof z.ZodError) {
        const reason = error instanceof z.ZodError ? z.prettifyError(error) : error.message;
        log.warn({ reason }, "delivery rejected");
        await deps.deliveries.finish(deliveryId, "rejected", reason);
        return;
      }
      await deps.deliveries.finish(deliveryId, "failed", (error as Error).message);
      throw error;
    }
  };
}
