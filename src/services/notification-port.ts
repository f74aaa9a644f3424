import type { NotificationEventType, RunEventRecord } from "../domain/notification-events.js";

export const DELIVERY_STATUSES = ["pending", "delivered", "failed", "refused"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const ATTEMPT_OUTCOMES = ["delivered", "failed", "timeout", "refused"] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** Where one event goes: the operator's webhook, or a target of the tracked branch's bosun.yml. */
export interface NotificationTargetRecord {
  name: string;
  kind: "webhook" | "slack";
  /** The webhook's URL, or the Slack channel. */
  destination: string;
  /** The bosun.yml secret's name; undefined for the operator's own webhook and for Slack. */
  secretName: string | undefined;
  /** The operator's own target, trusted as given (it may be on a private network). */
  trusted: boolean;
}

/** A target with the events and environments it wants (undefined: all), as a run keeps it. */
export interface RunTarget extends NotificationTargetRecord {
  events: NotificationEventType[] | undefined;
  environments: string[] | undefined;
}

/** A delivery as its job needs it: where, what, and how it went so far. */
export interface DeliveryToSend {
  id: string;
  runId: string;
  repositoryId: number;
  type: NotificationEventType;
  payload: unknown;
  target: NotificationTargetRecord;
  status: DeliveryStatus;
  attempts: number;
  firstAttemptAt: Date | undefined;
}

export interface AttemptRecord {
  attempt: number;
  at: Date;
  outcome: AttemptOutcome;
  responseStatus: number | undefined;
  durationMs: number;
  error: string | undefined;
}

/** A delivery as `bosun notifications deliveries` and the run page show it. */
export interface DeliverySummary {
  id: string;
  runId: string;
  type: NotificationEventType;
  targetName: string;
  targetKind: "webhook" | "slack";
  destination: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | undefined;
  nextAttemptAt: Date | undefined;
  createdAt: Date;
  /** The last attempt's answer code, when it got one. */
  lastResponseStatus: number | undefined;
}

/** The notification outbox: events derived from runs, their deliveries and every attempt. */
export interface NotificationStore {
  /** The run's component events, in sequence order. */
  runEvents(runId: string): Promise<RunEventRecord[]>;
  /** The targets resolved at the run's first event; undefined before. */
  runTargets(runId: string): Promise<RunTarget[] | undefined>;
  /** Keeps the run's targets; the first kept stays (concurrent recorders agree on one). */
  saveRunTargets(runId: string, targets: readonly RunTarget[]): Promise<RunTarget[]>;
  /** The event types already recorded for the run. */
  recordedTypes(runId: string): Promise<Set<NotificationEventType>>;
  /** Records one event and a pending delivery per target; nothing when the type is recorded. */
  recordEvent(input: {
    runId: string;
    type: NotificationEventType;
    sequence: number;
    payload: unknown;
    targets: readonly NotificationTargetRecord[];
  }): Promise<void>;
  /**
   * Pending deliveries (of the run, or of every run) that no job was queued for and that no
   * earlier event of their run still holds back for the same target, in event order.
   */
  unqueuedDeliveries(runId: string | undefined): Promise<string[]>;
  markQueued(deliveryIds: readonly string[], at: Date): Promise<void>;
  /**
   * Takes the delivery's next attempt for this worker until `leaseUntil`: `claimed`; `waiting`
   * behind an earlier event of its run for the same target (it is unqueued, and queued again when
   * that one ends); `held` by another worker's attempt; `done` (no longer pending).
   */
  claimAttempt(deliveryId: string, now: Date, leaseUntil: Date): Promise<AttemptClaim>;
  delivery(id: string): Promise<DeliveryToSend | undefined>;
  /** Keeps an attempt, moves the delivery to its next status and releases its claim. */
  recordAttempt(
    deliveryId: string,
    attempt: AttemptRecord,
    next: { status: DeliveryStatus; nextAttemptAt: Date | undefined },
  ): Promise<void>;
  /** Newest first; `failed`: only those given up or refused. */
  listDeliveries(options: { failed: boolean; limit: number }): Promise<DeliverySummary[]>;
  deliveriesOfRun(runId: string): Promise<DeliverySummary[]>;
  /**
   * Makes a delivery pending again (attempts kept), for `bosun notifications redeliver`; its run,
   * or undefined when there is no such delivery.
   */
  reopen(deliveryId: string): Promise<{ runId: string } | undefined>;
  /** A webhook secret's value, unsealed; undefined when the operator has not set it. */
  webhookSecret(repositoryId: number, name: string): Promise<string | undefined>;
  slackMessage(
    runId: string,
    targetName: string,
  ): Promise<{ channel: string; ts: string } | undefined>;
  saveSlackMessage(
    runId: string,
    targetName: string,
    message: { channel: string; ts: string },
  ): Promise<void>;
}

export type AttemptClaim =
  { kind: "claimed" | "waiting" | "done" | "retry" } | { kind: "held"; until: Date };

/** What one webhook attempt came to. */
export type WebhookAnswer =
  | { outcome: "delivered"; status: number }
  | {
      outcome: "failed";
      status: number | undefined;
      retryAfterMs: number | undefined;
      error: string;
    }
  | { outcome: "timeout"; error: string }
  | { outcome: "refused"; error: string };

/** Sends one signed webhook (src/notify/send-webhook.ts). */
export type WebhookSender = (request: {
  url: string;
  /** The Standard Webhooks secret, `whsec_…`. */
  secret: string;
  webhookId: string;
  body: string;
  timestamp: Date;
  /** Refuse hosts that resolve to loopback, private or link-local addresses. */
  publicOnly: boolean;
}) => Promise<WebhookAnswer>;

/** A Slack message: its fallback text and its Block Kit blocks. */
export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

/** Slack's Web API as notifications use it (src/notify/slack-poster.ts). */
export interface SlackPoster {
  post(channel: string, message: SlackMessage): Promise<{ channel: string; ts: string }>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  reply(channel: string, threadTs: string, text: string): Promise<void>;
}
