import { pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { runs } from "./runs.js";

/** The one Slack message of a run per target, which later events update in place. */
export const slackMessages = pgTable(
  "slack_messages",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    targetName: text("target_name").notNull(),
    /** The channel's id as Slack answered it: chat.update needs the id, not the name. */
    channel: text("channel").notNull(),
    ts: text("ts").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.runId, table.targetName] })],
);
