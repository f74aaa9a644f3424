import {
  type AnyColumn,
  and,
  asc,
  desc,
  eq,
  exists,
  inArray,
  isNull,
  lt,
  not,
  or,
  sql,
} from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import {
  NOTIFICATION_EVENT_TYPES,
  type NotificationEventType,
} from "../domain/notification-events.js";
import { type SealKeys, open, seal } from "../lib/seal.js";
import { notificationSecretContext as aad } from "../lib/seal-contexts.js";
import type {
  DeliveryStatus,
  DeliverySummary,
  NotificationStore,
  RunTarget,
} from "../services/notification-port.js";
import type { Db } from "./database.js";
import { lastResponseStatus } from "./read-run-notifications.js";
import {
  notificationAttempts,
  notificationDeliveries,
  notificationEvents,
  notificationRunTargets,
  notificationSecrets,
  repositories,
  runEvents,
  runs,
  slackMessages,
} from "./schema/index.js";

/** What `bosun notifications secret` manages. */
export interface NotificationSecretAdmin {
  repositoryId(fullName: string): Promise<number | undefined>;
  setWebhookSecret(repositoryId: number, name: string, value: string): Promise<void>;
  removeWebhookSecret(repositoryId: number, name: string): Promise<boolean>;
}

const kindOf = (value: string): "webhook" | "slack" => (value === "slack" ? "slack" : "webhook");

const earlierDelivery = alias(notificationDeliveries, "earlier_delivery");
const earlierEvent = alias(notificationEvents, "earlier_event");
const eventTypeOrder = sql.raw(
  `ARRAY[${NOTIFICATION_EVENT_TYPES.map((type) => `'${type}'`).join(", ")}]::text[]`,
);

/**
 * The order a run's events go out in: the run event that brought each about, then, for events of
 * the same run event, the order src/domain/notification-events.ts derives them in.
 */
const orderOf = (event: { sequence: AnyColumn; type: AnyColumn }) =>
  sql`(${event.sequence}, array_position(${eventTypeOrder}, ${event.type}))`;

const thisEvent = alias(notificationEvents, "this_event");

/**
 * The delivery (the outer statement's row of notification_deliveries) has an earlier event of its
 * run still pending for the same target: it waits, so that every target hears of a run's events in
 * order (docs/design.md "Notifications"). One given up or refused no longer holds the later ones.
 */
const waitsForEarlier = (db: Pick<Db, "select">) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(thisEvent)
      .innerJoin(earlierEvent, eq(earlierEvent.runId, thisEvent.runId))
      .innerJoin(earlierDelivery, eq(earlierDelivery.eventId, earlierEvent.id))
      .where(
        and(
          eq(thisEvent.id, notificationDeliveries.eventId),
          eq(earlierDelivery.targetName, notificationDeliveries.targetName),
          eq(earlierDelivery.status, "pending"),
          sql`${orderOf(earlierEvent)} < ${orderOf(thisEvent)}`,
        ),
      ),
  );

/**
 * Serialises, per run and target, a claim with the end of an attempt: a delivery that finds an
 * earlier one pending is unqueued before that one's end commits and looks for what to queue next,
 * or sees it ended and is claimed. Without it, both could miss and the later one would wait for
 * the sweep.
 */
async function lockRunTarget(tx: Pick<Db, "execute">, deliveryId: string): Promise<void> {
  await tx.execute(sql`
    select pg_advisory_xact_lock(hashtext(e.run_id::text), hashtext(d.target_name))
    from ${notificationDeliveries} d
    join ${notificationEvents} e on e.id = d.event_id
    where d.id = ${deliveryId}`);
}

export function createNotificationRepository(
  db: Db,
  key: SealKeys,
): NotificationStore & NotificationSecretAdmin {
  const summaries = () =>
    db
      .select({
        id: notificationDeliveries.id,
        runId: notificationEvents.runId,
        type: notificationEvents.type,
        targetName: notificationDeliveries.targetName,
        targetKind: notificationDeliveries.targetKind,
        destination: notificationDeliveries.destination,
        status: notificationDeliveries.status,
        attempts: notificationDeliveries.attempts,
        lastError: notificationDeliveries.lastError,
        nextAttemptAt: notificationDeliveries.nextAttemptAt,
        createdAt: notificationDeliveries.createdAt,
        lastResponseStatus,
      })
      .from(notificationDeliveries)
      .innerJoin(notificationEvents, eq(notificationEvents.id, notificationDeliveries.eventId));
  const toSummary = (row: Awaited<ReturnType<ReturnType<typeof summaries>["execute"]>>[number]) =>
    ({
      ...row,
      type: row.type as NotificationEventType,
      targetKind: kindOf(row.targetKind),
      status: row.status as DeliveryStatus,
      lastError: row.lastError ?? undefined,
      nextAttemptAt: row.nextAttemptAt ?? undefined,
      lastResponseStatus: row.lastResponseStatus ?? undefined,
    }) satisfies DeliverySummary;

  return {
    async runEvents(runId) {
      return db
        .select({
          sequence: runEvents.sequence,
          runComponentId: runEvents.runComponentId,
          fromState: runEvents.fromState,
          toState: runEvents.toState,
          actor: runEvents.actor,
          at: runEvents.at,
        })
        .from(runEvents)
        .where(eq(runEvents.runId, runId))
        .orderBy(asc(runEvents.sequence));
    },
    async runTargets(runId) {
      const [row] = await db
        .select({ targets: notificationRunTargets.targets })
        .from(notificationRunTargets)
        .where(eq(notificationRunTargets.runId, runId));
      return row?.targets as RunTarget[] | undefined;
    },
    async saveRunTargets(runId, targets) {
      await db
        .insert(notificationRunTargets)
        .values({ runId, targets: [...targets] })
        .onConflictDoNothing();
      const [row] = await db
        .select({ targets: notificationRunTargets.targets })
        .from(notificationRunTargets)
        .where(eq(notificationRunTargets.runId, runId));
      return (row?.targets ?? targets) as RunTarget[];
    },
    async recordedTypes(runId) {
      const rows = await db
        .select({ type: notificationEvents.type })
        .from(notificationEvents)
        .where(eq(notificationEvents.runId, runId));
      return new Set(rows.map((row) => row.type as NotificationEventType));
    },
    async recordEvent(input) {
      await db.transaction(async (tx) => {
        const [event] = await tx
          .insert(notificationEvents)
          .values({
            runId: input.runId,
            type: input.type,
            sequence: input.sequence,
            payload: input.payload,
          })
          .onConflictDoNothing()
          .returning({ id: notificationEvents.id });
        if (!event || input.targets.length === 0) return;
        await tx.insert(notificationDeliveries).values(
          input.targets.map((target) => ({
            eventId: event.id,
            targetName: target.name,
            targetKind: target.kind,
            destination: target.destination,
            secretName: target.secretName ?? null,
            trusted: target.trusted,
          })),
        );
      });
    },
    async unqueuedDeliveries(runId) {
      const rows = await db
        .select({ id: notificationDeliveries.id })
        .from(notificationDeliveries)
        .innerJoin(notificationEvents, eq(notificationEvents.id, notificationDeliveries.eventId))
        .where(
          and(
            runId === undefined ? undefined : eq(notificationEvents.runId, runId),
            eq(notificationDeliveries.status, "pending"),
            isNull(notificationDeliveries.queuedAt),
            not(waitsForEarlier(db)),
          ),
        )
        .orderBy(
          asc(notificationEvents.createdAt),
          orderOf(notificationEvents),
          asc(notificationDeliveries.targetName),
        );
      return rows.map((row) => row.id);
    },
    async markQueued(deliveryIds, at) {
      if (deliveryIds.length === 0) return;
      await db
        .update(notificationDeliveries)
        .set({ queuedAt: at })
        .where(inArray(notificationDeliveries.id, [...deliveryIds]));
    },
    async claimAttempt(deliveryId, now, leaseUntil) {
      return db.transaction(async (tx) => {
        await lockRunTarget(tx, deliveryId);
        const pendingHere = and(
          eq(notificationDeliveries.id, deliveryId),
          eq(notificationDeliveries.status, "pending"),
        );
        const claimed = await tx
          .update(notificationDeliveries)
          .set({ attemptLeaseUntil: leaseUntil })
          .where(
            and(
              pendingHere,
              or(
                isNull(notificationDeliveries.attemptLeaseUntil),
                lt(notificationDeliveries.attemptLeaseUntil, now),
              ),
              not(waitsForEarlier(tx)),
            ),
          )
          .returning({ id: notificationDeliveries.id });
        if (claimed.length > 0) return { kind: "claimed" } as const;
        const unqueued = await tx
          .update(notificationDeliveries)
          .set({ queuedAt: null })
          .where(and(pendingHere, waitsForEarlier(tx)))
          .returning({ id: notificationDeliveries.id });
        if (unqueued.length > 0) return { kind: "waiting" } as const;
        const [row] = await tx
          .select({ leaseUntil: notificationDeliveries.attemptLeaseUntil })
          .from(notificationDeliveries)
          .where(pendingHere);
        return row?.leaseUntil
          ? ({ kind: "held", until: row.leaseUntil } as const)
          : ({ kind: "done" } as const);
      });
    },
    async delivery(id) {
      const [row] = await db
        .select({
          delivery: notificationDeliveries,
          runId: notificationEvents.runId,
          type: notificationEvents.type,
          payload: notificationEvents.payload,
          repositoryId: runs.repositoryId,
        })
        .from(notificationDeliveries)
        .innerJoin(notificationEvents, eq(notificationEvents.id, notificationDeliveries.eventId))
        .innerJoin(runs, eq(runs.id, notificationEvents.runId))
        .where(eq(notificationDeliveries.id, id));
      if (!row) return undefined;
      const { delivery } = row;
      return {
        id: delivery.id,
        runId: row.runId,
        repositoryId: row.repositoryId,
        type: row.type as NotificationEventType,
        payload: row.payload,
        target: {
          name: delivery.targetName,
          kind: kindOf(delivery.targetKind),
          destination: delivery.destination,
          secretName: delivery.secretName ?? undefined,
          trusted: delivery.trusted,
        },
        status: delivery.status as DeliveryStatus,
        attempts: delivery.attempts,
        firstAttemptAt: delivery.firstAttemptAt ?? undefined,
      };
    },
    async recordAttempt(deliveryId, attempt, next) {
      await db.transaction(async (tx) => {
        await lockRunTarget(tx, deliveryId);
        await tx.insert(notificationAttempts).values({
          deliveryId,
          attempt: attempt.attempt,
          at: attempt.at,
          outcome: attempt.outcome,
          responseStatus: attempt.responseStatus ?? null,
          durationMs: attempt.durationMs,
          error: attempt.error ?? null,
        });
        await tx
          .update(notificationDeliveries)
          .set({
            status: next.status,
            attempts: attempt.attempt,
            firstAttemptAt: sql`coalesce(${notificationDeliveries.firstAttemptAt}, ${attempt.at.toISOString()}::timestamptz)`,
            nextAttemptAt: next.nextAttemptAt ?? null,
            attemptLeaseUntil: null,
            lastError: attempt.error ?? null,
            ...(next.status === "delivered" ? { deliveredAt: attempt.at } : {}),
          })
          .where(eq(notificationDeliveries.id, deliveryId));
      });
    },
    async listDeliveries({ failed, limit }) {
      const rows = await summaries()
        .where(
          failed
            ? or(
                eq(notificationDeliveries.status, "failed"),
                eq(notificationDeliveries.status, "refused"),
              )
            : undefined,
        )
        .orderBy(desc(notificationDeliveries.createdAt), desc(notificationDeliveries.id))
        .limit(limit);
      return rows.map(toSummary);
    },
    async deliveriesOfRun(runId) {
      const rows = await summaries()
        .where(eq(notificationEvents.runId, runId))
        .orderBy(asc(notificationEvents.sequence), asc(notificationDeliveries.targetName));
      return rows.map(toSummary);
    },
    async reopen(deliveryId) {
      // A new day of retries starts with the redelivery; the attempts so far are kept.
      const rows = await db
        .update(notificationDeliveries)
        .set({
          status: "pending",
          queuedAt: null,
          nextAttemptAt: null,
          firstAttemptAt: null,
          attemptLeaseUntil: null,
        })
        .where(eq(notificationDeliveries.id, deliveryId))
        .returning({ eventId: notificationDeliveries.eventId });
      const [reopened] = rows;
      if (!reopened) return undefined;
      const [event] = await db
        .select({ runId: notificationEvents.runId })
        .from(notificationEvents)
        .where(eq(notificationEvents.id, reopened.eventId));
      return event;
    },
    async webhookSecret(repositoryId, name) {
      const [row] = await db
        .select({ sealedValue: notificationSecrets.sealedValue })
        .from(notificationSecrets)
        .where(
          and(
            eq(notificationSecrets.repositoryId, repositoryId),
            eq(notificationSecrets.name, name),
          ),
        );
      return row && open(key, row.sealedValue, aad(repositoryId, name)).toString("utf8");
    },
    async slackMessage(runId, targetName) {
      const [row] = await db
        .select({ channel: slackMessages.channel, ts: slackMessages.ts })
        .from(slackMessages)
        .where(and(eq(slackMessages.runId, runId), eq(slackMessages.targetName, targetName)));
      return row;
    },
    async saveSlackMessage(runId, targetName, message) {
      await db
        .insert(slackMessages)
        .values({ runId, targetName, ...message })
        .onConflictDoNothing();
    },
    async repositoryId(fullName) {
      const [row] = await db
        .select({ id: repositories.id })
        .from(repositories)
        .where(eq(repositories.fullName, fullName));
      return row?.id;
    },
    async setWebhookSecret(repositoryId, name, value) {
      const sealedValue = seal(key, Buffer.from(value, "utf8"), aad(repositoryId, name));
      await db
        .insert(notificationSecrets)
        .values({ repositoryId, name, sealedValue })
        .onConflictDoUpdate({
          target: [notificationSecrets.repositoryId, notificationSecrets.name],
          set: { sealedValue, updatedAt: sql`now()` },
        });
    },
    async removeWebhookSecret(repositoryId, name) {
      const rows = await db
        .delete(notificationSecrets)
        .where(
          and(
            eq(notificationSecrets.repositoryId, repositoryId),
            eq(notificationSecrets.name, name),
          ),
        )
        .returning({ name: notificationSecrets.name });
      return rows.length > 0;
    },
  };
}
