import type { Logger } from "pino";
import type { NotificationTarget } from "../config/notification-config.js";
import { isTerminal } from "../domain/component-phase.js";
import { driftOutcome } from "../domain/drift-outcome.js";
import { deriveRunNotifications } from "../domain/notification-events.js";
import { buildNotificationPayload } from "../render/notification-payload.js";
import type { GithubGateway } from "./github-port.js";
import type {
  NotificationStore,
  NotificationTargetRecord,
  RunTarget,
} from "./notification-port.js";
import type { JobQueue } from "./queue-port.js";
import type { RunView, RunViewStore } from "./run-view-port.js";
import { loadTrackedConfig } from "./tracked-config.js";

/** The operator's own webhook's target name: upper case, so no bosun.yml name can take it. */
export const SERVER_TARGET_NAME = "BOSUN_NOTIFY_URL";

/** A `notify-delivery` job: one attempt at one delivery. */
export interface NotifyDeliveryJob {
  deliveryId: string;
  /** Deliveries to one target share it: at most a few of them are sent at once. */
  targetKey: string;
}

export interface RecordNotificationDeps {
  notifications: NotificationStore;
  runViews: Pick<RunViewStore, "runView">;
  github: GithubGateway;
  queue: JobQueue;
  runLink: (runId: string) => string;
  githubWebUrl: string;
  /** BOSUN_NOTIFY_URL, when the operator set one. */
  serverUrl: string | undefined;
  /** Slack targets are kept only when the server has a bot token. */
  slackEnabled: boolean;
  log: Logger;
}

/** The key deliveries to one target share: its URL, or Slack's API (every channel's). */
export function targetKey(target: Pick<NotificationTargetRecord, "kind" | "destination">): string {
  return target.kind === "slack" ? "slack" : target.destination;
}

/**
 * Records the run's new run-level events in the outbox, with a delivery per target, and queues a
 * job per delivery (docs/design.md "Notifications", invariant 9). Run after every change of the
 * run (requestReport asks for it): the events are replayed from the run's event log each time and
 * only those not recorded yet are added, in order, so none is invented, lost or sent twice.
 * The targets are the operator's BOSUN_NOTIFY_URL and the `notifications:` of the tracked
 * branch's bosun.yml, never a pull request's (docs/design.md "Trust").
 */
export async function recordRunNotifications(
  deps: RecordNotificationDeps,
  runId: string,
): Promise<void> {
  const view = await deps.runViews.runView(runId);
  if (!view) return;
  const events = await deps.notifications.runEvents(runId);
  const drifted =
    view.kind === "drift" &&
    view.components.every((component) => isTerminal(component.phase)) &&
    driftOutcome(view.components).kind === "drifted";
  const recorded = await deps.notifications.recordedTypes(runId);
  const fresh = deriveRunNotifications({ kind: view.kind, events, drifted }).filter(
    (event) => !recorded.has(event.type),
  );
  if (fresh.length > 0) {
    const targets =
      (await deps.notifications.runTargets(runId)) ??
      (await deps.notifications.saveRunTargets(runId, await targetsOf(deps, view)));
    for (const event of fresh) {
      await deps.notifications.recordEvent({
        runId,
        type: event.type,
        sequence: event.sequence,
        payload: buildNotificationPayload(view, event, {
          runUrl: deps.runLink(runId),
          githubWebUrl: deps.githubWebUrl,
        }),
        targets: targets.filter(
          (target) =>
            (target.events?.includes(event.type) ?? true) &&
            (target.environments?.includes(view.environment) ?? true),
        ),
      });
    }
  }
  await queueDeliveries(deps, runId);
}

/**
 * Queues a job for each pending delivery that has none yet, in event order: the run's, or (runId
 * undefined: the workers' sweep every minute) every run's, which picks up what a lost worker
 * recorded but did not queue, and what an earlier delivery's end let go.
 */
export async function queueDeliveries(
  deps: {
    notifications: Pick<NotificationStore, "unqueuedDeliveries" | "delivery" | "markQueued">;
    queue: Pick<JobQueue, "send">;
  },
  runId: string | undefined,
): Promise<void> {
  const ids = await deps.notifications.unqueuedDeliveries(runId);
  for (const id of ids) {
    const delivery = await deps.notifications.delivery(id);
    if (!delivery) continue;
    const job: NotifyDeliveryJob = { deliveryId: id, targetKey: targetKey(delivery.target) };
    await deps.queue.send("notify-delivery", job);
  }
  await deps.notifications.markQueued(ids, new Date());
}

/**
 * The run's targets, resolved at its first event: the operator's webhook, and the tracked
 * branch's `notifications:` as they are then.
 */
async function targetsOf(deps: RecordNotificationDeps, view: RunView): Promise<RunTarget[]> {
  const targets: RunTarget[] = [];
  if (deps.serverUrl !== undefined) {
    targets.push({
      name: SERVER_TARGET_NAME,
      kind: "webhook",
      destination: deps.serverUrl,
      secretName: undefined,
      trusted: true,
      events: undefined,
      environments: undefined,
    });
  }
  for (const target of await trackedTargets(deps, view)) {
    if (target.slack && !deps.slackEnabled) continue;
    targets.push({
      name: target.name,
      kind: target.webhook ? "webhook" : "slack",
      destination: target.webhook?.url ?? target.slack?.channel ?? "",
      secretName: target.webhook?.secret,
      trusted: false,
      events: target.events,
      environments: target.environments,
    });
  }
  return targets;
}

/** The tracked branch's `notifications:`; none when its bosun.yml is missing or broken. */
async function trackedTargets(
  deps: RecordNotificationDeps,
  view: RunView,
): Promise<NotificationTarget[]> {
  if (view.defaultBranch === undefined) return [];
  const api = await deps.github(view.installationId, view.repositoryFullName);
  const tracked = await loadTrackedConfig(api, view.defaultBranch);
  if (tracked.kind === "invalid") {
    deps.log.warn(
      { runId: view.runId, branch: tracked.branch },
      "notifications of bosun.yml skipped: the tracked branch's bosun.yml does not parse",
    );
  }
  return tracked.kind === "valid" ? tracked.config.notifications : [];
}
