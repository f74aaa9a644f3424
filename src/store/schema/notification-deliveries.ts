import { boolean, integer, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { notificationEvents } from "./notification-events.js";

/**
 * One event for one target. Its id is the Standard Webhooks `webhook-id` (`msg_<id>`), the same
 * on every attempt and redelivery, so a receiver can drop what it already has.
 */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    eventId: uuid("event_id")
      .notNull()
      .references(() => notificationEvents.id, { onDelete: "cascade" }),
    /** The bosun.yml target's name, or `server` for the operator's BOSUN_NOTIFY_URL. */
    targetName: text("target_name").notNull(),
    /** `webhook` or `slack`. */
    targetKind: text("target_kind").notNull(),
    /** A webhook's URL or a Slack channel: where it goes, as the run page shows it. */
    destination: text("destination").notNull(),
    /** The bosun.yml secret's name (`bosun notifications secret set`); null for the server's own. */
    secretName: text("secret_name"),
    /** The server's own target is trusted as given; a repository's may not reach private hosts. */
    trusted: boolean("trusted").notNull().default(false),
    /** `pending`, `delivered`, `failed` (retried for a day, given up) or `refused`. */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    firstAttemptAt: timestamp("first_attempt_at", { withTimezone: true }),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    /**
     * Until when one worker holds its attempt: a second job for the same delivery (two processes
     * queueing it at once, a redelivery) waits instead of sending it twice at the same time.
     */
    attemptLeaseUntil: timestamp("attempt_lease_until", { withTimezone: true }),
    /** When a job was last queued for it; null: it still needs one. */
    queuedAt: timestamp("queued_at", { withTimezone: true }),
    lastError: text("last_error"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [unique("notification_deliveries_event_target").on(table.eventId, table.targetName)],
);

/** Every attempt of a delivery, kept: what was answered and how long it took. */
export const notificationAttempts = pgTable(
  "notification_attempts",
  {
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => notificationDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** `delivered`, `failed`, `timeout` or `refused`. */
    outcome: text("outcome").notNull(),
    responseStatus: integer("response_status"),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
  },
  (table) => [unique("notification_attempts_delivery_attempt").on(table.deliveryId, table.attempt)],
);
