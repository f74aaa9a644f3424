import { bigint, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { changesets } from "./changesets.js";
import { environments } from "./environments.js";
import { runKind } from "./enums.js";
import { repositories } from "./repositories.js";

/**
 * One execution of a changeset or a tracked push. Its status is not stored: it is derived from
 * its components (DESIGN.md invariant 8).
 */
export const runs = pgTable("runs", {
  id: uuid("id").primaryKey().defaultRandom(),
  repositoryId: bigint("repository_id", { mode: "number" })
    .notNull()
    .references(() => repositories.id, { onDelete: "cascade" }),
  environmentId: uuid("environment_id")
    .notNull()
    .references(() => environments.id, { onDelete: "cascade" }),
  changesetId: uuid("changeset_id").references(() => changesets.id, { onDelete: "set null" }),
  kind: runKind("kind").notNull(),
  commitSha: text("commit_sha").notNull(),
  trigger: text("trigger").notNull(),
  triggeredBy: text("triggered_by").notNull(),
  engineVersion: text("engine_version"),
  repeatsRunId: uuid("repeats_run_id"),
  confirmedBy: text("confirmed_by"),
  confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
