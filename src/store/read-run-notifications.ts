import { asc, eq, sql } from "drizzle-orm";
import type { RunNotificationEntry } from "../services/run-page-port.js";
import type { Db } from "./database.js";
import {
  notificationAttempts,
  notificationDeliveries,
  notificationEvents,
} from "./schema/index.js";

/**
 * Where a delivery went, as the run page may show it: a webhook's host alone (a URL's path or
 * query may itself be a credential, as incoming-webhook URLs are), or the Slack channel.
 */
function shownDestination(kind: string, destination: string): string {
  if (kind === "slack") return destination;
  return URL.canParse(destination) ? new URL(destination).host : "";
}

/** The last attempt's answer code of each delivery: what the run page and the CLI show. */
export const lastResponseStatus = sql<number | null>`(
  select ${notificationAttempts.responseStatus} from ${notificationAttempts}
  where ${notificationAttempts.deliveryId} = ${notificationDeliveries.id}
  order by ${notificationAttempts.attempt} desc limit 1)`;

/** The run's deliveries, in event order: which target was told what, and how it went. */
export async function readRunNotifications(db: Db, runId: string): Promise<RunNotificationEntry[]> {
  const rows = await db
    .select({
      type: notificationEvents.type,
      targetName: notificationDeliveries.targetName,
      targetKind: notificationDeliveries.targetKind,
      destination: notificationDeliveries.destination,
      status: notificationDeliveries.status,
      attempts: notificationDeliveries.attempts,
      lastResponseStatus,
    })
    .from(notificationDeliveries)
    .innerJoin(notificationEvents, eq(notificationEvents.id, notificationDeliveries.eventId))
    .where(eq(notificationEvents.runId, runId))
    .orderBy(asc(notificationEvents.sequence), asc(notificationDeliveries.targetName));
  return rows.map((row) => ({
    type: row.type,
    target: row.targetName,
    kind: row.targetKind,
    destination: shownDestination(row.targetKind, row.destination),
    status: row.status,
    attempts: row.attempts,
    lastResponseStatus: row.lastResponseStatus ?? undefined,
  }));
}
