import type { Logger } from "pino";
import { guardWebhookRequests } from "../github/guard-webhook-requests.js";
import { createIntakeMiddleware } from "../github/intake-app.js";
import type { AcceptOutcome } from "../services/accept-delivery.js";
import type { IncomingDelivery } from "../services/delivery-port.js";
import { MAX_WEBHOOK_BYTES, type WebhookListener } from "./http-server.js";

/**
 * The webhook path of a configured GitHub App: a request is guarded (size, body) and its HMAC
 * checked before intake records the delivery and queues its job.
 */
export function webhookListener(deps: {
  secret: string;
  path: string;
  /** The webhook secret's HMAC check (`Webhooks.verify`). */
  verify: (payload: string, signature: string) => Promise<boolean>;
  /** Records the delivery and queues its job, durably (createDeliveryAcceptor). */
  accept: (delivery: IncomingDelivery) => Promise<AcceptOutcome>;
  log: Logger;
}): WebhookListener {
  const intake = createIntakeMiddleware({
    secret: deps.secret,
    path: deps.path,
    accept: deps.accept,
    log: deps.log,
  });
  return guardWebhookRequests(
    { maxBytes: MAX_WEBHOOK_BYTES, verify: deps.verify, log: deps.log },
    async (req, res) => (await intake(req, res)) === true,
  );
}

/** The webhook path while the GitHub App's credentials are missing: 503, saying so. */
export const unconfiguredWebhooks: WebhookListener = async (_req, res) => {
  res
    .writeHead(503, { "content-type": "application/json" })
    .end(JSON.stringify({ error: "GitHub App credentials are not configured; see the README" }));
  return true;
};
