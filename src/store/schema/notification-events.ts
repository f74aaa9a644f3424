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
