import { NOTIFICATION_SECRET_NAME } from "../config/notification-config.js";
import type { CommandResult } from "../lib/command-result.js";
import type { DeliverySummary, NotificationStore } from "./notification-port.js";
import type { JobQueue } from "./queue-port.js";
import { queueDeliveries } from "./record-run-notifications.js";

/** What `bosun notifications secret set` needs of the store. */
export interface NotificationSecretStore {
  repositoryId(fullName: string): Promise<number | undefined>;
  setWebhookSecret(repositoryId: number, name: string, value: string): Promise<void>;
}

const refuse = (message: string): CommandResult => ({
  exitCode: 1,
  stdout: "",
  stderr: `bosun: ${message}\n`,
});

const ok = (stdout: string): CommandResult => ({ exitCode: 0, stdout, stderr: "" });

/**
 * `bosun notifications secret set OWNER/REPO NAME`: the Standard Webhooks secret a bosun.yml
 * webhook names, from stdin (never argv, which ps shows). Not a stack secret: it reaches no engine.
 */
export async function setNotificationSecretCommand(
  store: NotificationSecretStore,
  input: { repository: string; name: string; value: string },
): Promise<CommandResult> {
  if (!NOTIFICATION_SECRET_NAME.test(input.name)) {
    return refuse(`secret name ${JSON.stringify(input.name)} must be letters, digits and _`);
  }
  const value = input.value.replace(/\r?\n$/, "");
  if (
    !/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(value) ||
    Buffer.from(value.slice(6), "base64").length < 24
  ) {
    return refuse(
      "the value read from stdin must be a Standard Webhooks secret: whsec_ and the base64 of 24 or more random bytes (printf 'whsec_%s' \"$(openssl rand -base64 32)\")",
    );
  }
  const repositoryId = await store.repositoryId(input.repository);
  if (repositoryId === undefined) {
    return refuse(
      `repository ${input.repository} is not known to Bosun (is the App installed on it?)`,
    );
  }
  await store.setWebhookSecret(repositoryId, input.name, value);
  return ok(`notification secret ${input.name} set for ${input.repository}\n`);
}

const line = (delivery: DeliverySummary) =>
  [
    delivery.id,
    delivery.createdAt.toISOString(),
    delivery.type,
    delivery.targetName,
    delivery.status,
    `attempts=${delivery.attempts}`,
    delivery.lastResponseStatus === undefined ? "-" : String(delivery.lastResponseStatus),
    delivery.nextAttemptAt ? `next=${delivery.nextAttemptAt.toISOString()}` : "-",
    delivery.lastError ?? "",
  ].join("\t");

/**
 * `bosun notifications deliveries [--failed]`: newest first, one tab-separated line each: id,
 * created, event, target, status, attempts, last answer code, next attempt, last error.
 */
export async function listDeliveriesCommand(
  store: Pick<NotificationStore, "listDeliveries">,
  input: { failed: boolean; limit: number },
): Promise<CommandResult> {
  const deliveries = await store.listDeliveries(input);
  return ok(deliveries.map((delivery) => `${line(delivery)}\n`).join(""));
}

/**
 * `bosun notifications redeliver ID`: the delivery is made pending again, under its same
 * `webhook-id`, and queued at once (the workers poll for it), unless an earlier event of its run is
 * still pending for the same target: then it goes when that one is over.
 */
export async function redeliverCommand(
  deps: {
    store: Pick<NotificationStore, "reopen" | "unqueuedDeliveries" | "delivery" | "markQueued">;
    queue: Pick<JobQueue, "send">;
  },
  input: { id: string },
): Promise<CommandResult> {
  if (!/^[0-9a-f-]{36}$/.test(input.id)) return refuse(`${input.id} is not a delivery id`);
  const reopened = await deps.store.reopen(input.id);
  if (!reopened) return refuse(`no delivery ${input.id}`);
  await queueDeliveries({ notifications: deps.store, queue: deps.queue }, reopened.runId);
  return ok(`delivery ${input.id} queued to be sent again\n`);
}
