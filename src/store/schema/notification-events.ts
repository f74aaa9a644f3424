import { integer, jsonb, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { runs } from "./runs.js";

/**
 * The outbox of run-level events (docs/design.md "Notifications"): each derived once from the
 * run's event log (src/domain/notification-events.ts) and kept with the payload every target is
 * sent, so a retry or a redelivery sends the very same body.
 */
export const notificationEvents = pgTable(
  "notification_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    /** The run event after which the run was in this state: the order events go out in. */
    sequence: integer("sequence").notNull(),
    payload: jsonb("payload").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  // Each type once per run: recording the same replay twice adds nothing.
  (table) => [unique("notification_events_run_type").on(table.runId, table.type)],
);

/**
 * The targets a run's events go to, resolved once, at its first event, from the operator's
 * settings and the tracked branch's bosun.yml then: later events need no read of GitHub, and a
 * run is told to the same targets from start to end.
 */
export const notificationRunTargets = pgTable("notification_run_targets", {
  runId: uuid("run_id")
    .primaryKey()
    .references(() => runs.id, { onDelete: "cascade" }),
  targets: jsonb("targets").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
