import type { Logger } from "pino";
import { retryDelayMs } from "../domain/notification-retry.js";
import { NotificationPayload } from "../render/notification-payload.js";
import { renderSlackMessage, slackThreadNote } from "../render/slack-message.js";
import type {
  AttemptOutcome,
  DeliveryToSend,
  NotificationStore,
  SlackPoster,
  WebhookAnswer,
  WebhookSender,
} from "./notification-port.js";
import type { Metrics } from "./metrics-port.js";
import type { JobQueue } from "./queue-port.js";
import { queueDeliveries, targetKey, type NotifyDeliveryJob } from "./record-run-notifications.js";

export interface DeliverDeps {
  notifications: NotificationStore;
  queue: JobQueue;
  sendWebhook: WebhookSender;
  /** Undefined without SLACK_BOT_TOKEN: Slack deliveries are refused. */
  slack: SlackPoster | undefined;
  /** BOSUN_NOTIFY_SECRET, the operator's own webhook's secret. */
  serverSecret: string | undefined;
  /** BOSUN_NOTIFY_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  /** BOSUN_NOTIFY_RETRY_BASE: the first retry's delay. */
  retryBaseMs: number;
  /** BOSUN_NOTIFY_TIMEOUT: one call's longest wait; an attempt makes two calls at most. */
  timeoutMs: number;
  now?: () => Date;
  random?: () => number;
  /** Attempts by target kind and outcome, for /metrics. */
  metrics?: Metrics;
  log: Logger;
}

/**
 * One attempt at one delivery, kept whatever it comes to. A failure (an answer other than 2xx, a
 * timeout, a network error) is tried again later under the same `webhook-id`, with exponential
 * backoff and jitter, honouring `Retry-After`, for a day (src/domain/notification-retry.ts); a
 * refusal (a private address, a secret not set, Slack not configured) is not.
 *
 * A run's events reach each target in order: a delivery waits while an earlier event of its run
 * is still pending for the same target, and is queued once that one is delivered, given up or
 * refused. One worker attempts a delivery at a time (a claim with a lease), so neither two
 * processes nor a redelivery send it twice at once, and a run's first Slack message is posted once.
 */
export async function deliverNotification(deps: DeliverDeps, deliveryId: string): Promise<void> {
  const now = deps.now ?? (() => new Date());
  if (!(await claim(deps, deliveryId, now))) return;
  const delivery = await deps.notifications.delivery(deliveryId);
  if (!delivery) return;
  const startedAt = now();
  const started = performance.now();
  const answer = await attempt(deps, delivery, startedAt);
  const durationMs = Math.round(performance.now() - started);
  deps.metrics?.notificationAttempt(delivery.target.kind, answer.outcome);
  const attempts = delivery.attempts + 1;
  const log = deps.log.child({ deliveryId, runId: delivery.runId, target: delivery.target.name });
  let next: {
    status: "delivered" | "pending" | "failed" | "refused";
    nextAttemptAt: Date | undefined;
  };
  let delay: number | undefined;
  if (answer.outcome === "delivered" || answer.outcome === "refused") {
    next = { status: answer.outcome, nextAttemptAt: undefined };
  } else {
    delay = retryDelayMs({
      attempts,
      baseMs: deps.retryBaseMs,
      retryAfterMs: answer.outcome === "failed" ? answer.retryAfterMs : undefined,
      elapsedMs: startedAt.getTime() - (delivery.firstAttemptAt ?? startedAt).getTime(),
      random: (deps.random ?? Math.random)(),
    });
    next =
      delay === undefined
        ? { status: "failed", nextAttemptAt: undefined }
        : { status: "pending", nextAttemptAt: new Date(startedAt.getTime() + delay) };
  }
  await deps.notifications.recordAttempt(
    deliveryId,
    {
      attempt: attempts,
      at: startedAt,
      outcome: answer.outcome,
      responseStatus: "status" in answer ? answer.status : undefined,
      durationMs,
      error: "error" in answer ? answer.error : undefined,
    },
    next,
  );
  if (delay !== undefined) {
    const job: NotifyDeliveryJob = { deliveryId, targetKey: targetKey(delivery.target) };
    await deps.queue.send("notify-delivery", job, {
      startAfterSeconds: Math.max(1, Math.ceil(delay / 1000)),
    });
  } else {
    // This one is over: the next event of the run for the same target may go.
    await queueDeliveries(deps, delivery.runId);
  }
  const fields = { attempt: attempts, outcome: answer.outcome, durationMs, delayMs: delay };
  if (next.status === "delivered") log.info(fields, "notification delivered");
  else
    log.warn(
      { ...fields, error: "error" in answer ? answer.error : undefined },
      "notification not delivered",
    );
}

/** The margin a lease keeps beyond the calls' own timeouts. */
const LEASE_MARGIN_MS = 30_000;

/** Whether this worker may attempt the delivery now; otherwise it is left to whoever will. */
async function claim(deps: DeliverDeps, deliveryId: string, now: () => Date): Promise<boolean> {
  const at = now();
  const leaseUntil = new Date(at.getTime() + 2 * deps.timeoutMs + LEASE_MARGIN_MS);
  const claimed = await deps.notifications.claimAttempt(deliveryId, at, leaseUntil);
  if (claimed.kind === "claimed") return true;
  if (claimed.kind === "held") {
    // Another worker's attempt: this job comes back once that attempt's lease is over, in case
    // its worker died holding it.
    const delivery = await deps.notifications.delivery(deliveryId);
    if (delivery) {
      const job: NotifyDeliveryJob = { deliveryId, targetKey: targetKey(delivery.target) };
      await deps.queue.send("notify-delivery", job, {
        startAfterSeconds: Math.max(1, Math.ceil((claimed.until.getTime() - at.getTime()) / 1000)),
      });
    }
  }
  return false;
}

async function attempt(deps: DeliverDeps, delivery: DeliveryToSend, at: Date): Promise<Answer> {
  const payload = NotificationPayload.parse(delivery.payload);
  const { target } = delivery;
  if (target.kind === "slack") {
    if (!deps.slack) return { outcome: "refused", error: "SLACK_BOT_TOKEN is not set" };
    try {
      await sendSlack(deps, deps.slack, delivery, payload);
      return { outcome: "delivered" };
    } catch (error) {
      return { outcome: "failed", error: error instanceof Error ? error.message : String(error) };
    }
  }
  const secret = target.trusted
    ? deps.serverSecret
    : target.secretName &&
      (await deps.notifications.webhookSecret(delivery.repositoryId, target.secretName));
  if (!secret) {
    return {
      outcome: "refused",
      error: `the webhook secret ${target.secretName ?? "BOSUN_NOTIFY_SECRET"} is not set (bosun notifications secret set)`,
    };
  }
  return deps.sendWebhook({
    url: target.destination,
    secret,
    webhookId: `msg_${delivery.id}`,
    body: JSON.stringify(payload),
    timestamp: at,
    publicOnly: !target.trusted && !deps.allowPrivate,
  });
}

/** What an attempt came to: a webhook's answer, or a Slack call's. */
type Answer =
  | WebhookAnswer
  | { outcome: "delivered" }
  | {
      outcome: Exclude<AttemptOutcome, "delivered" | "timeout">;
      error: string;
      retryAfterMs?: undefined;
    };

/** The run's one message in the channel: posted on its first event, then updated in place. */
async function sendSlack(
  deps: DeliverDeps,
  slack: SlackPoster,
  delivery: DeliveryToSend,
  payload: NotificationPayload,
): Promise<void> {
  const message = renderSlackMessage(payload);
  let posted = await deps.notifications.slackMessage(delivery.runId, delivery.target.name);
  if (posted) {
    await slack.update(posted.channel, posted.ts, message);
  } else {
    posted = await slack.post(delivery.target.destination, message);
    await deps.notifications.saveSlackMessage(delivery.runId, delivery.target.name, posted);
  }
  const note = slackThreadNote(payload);
  if (note !== undefined) await slack.reply(posted.channel, posted.ts, note);
}
