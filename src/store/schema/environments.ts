import {
  bigint,
  boolean,
  integer,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { repositories } from "./repositories.js";

export const environments = pgTable(
  "environments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    repositoryId: bigint("repository_id", { mode: "number" })
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    production: boolean("production").notNull().default(false),
    /** The last drift check's finding: null before any, then whether deployed resources drifted. */
    drifted: boolean("drifted"),
    driftCheckedAt: timestamp("drift_checked_at", { withTimezone: true }),
    /** The drift check run that found the current state. */
    driftRunId: uuid("drift_run_id"),
    /** The GitHub issue that tracks this environment's drift, kept open while it lasts. */
    driftIssueNumber: integer("drift_issue_number"),
    /**
     * The tracked branch's `drift.schedule` (a cron expression, or `off`), as its last push said;
     * null: none, so the server's BOSUN_DRIFT_SCHEDULE applies.
     */
    driftSchedule: text("drift_schedule"),
    /** The tracked branch's `drift.reconcile`: drift found opens a tracked run to put it back. */
    driftReconcile: boolean("drift_reconcile").notNull().default(false),
    /** When the next drift check is due; null until a tick first sees the environment's schedule. */
    driftNextAt: timestamp("drift_next_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [unique("environments_repository_name").on(table.repositoryId, table.name)],
);
