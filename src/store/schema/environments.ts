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
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [unique("environments_repository_name").on(table.repositoryId, table.name)],
);
