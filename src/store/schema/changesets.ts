import { bigint, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { changesetStatus } from "./enums.js";
import { environments } from "./environments.js";
import { repositories } from "./repositories.js";

/**
 * A reviewable batch of changes scoped to one environment. `baseHeads` maps each touched
 * component id to the deployed revision id it was based on (null: never deployed).
 */
export const changesets = pgTable("changesets", {
  id: uuid("id").primaryKey().defaultRandom(),
  repositoryId: bigint("repository_id", { mode: "number" })
    .notNull()
    .references(() => repositories.id, { onDelete: "cascade" }),
  environmentId: uuid("environment_id")
    .notNull()
    .references(() => environments.id, { onDelete: "cascade" }),
  pullRequestNumber: integer("pull_request_number"),
  headSha: text("head_sha").notNull(),
  baseHeads: jsonb("base_heads").$type<Record<string, string | null>>().notNull().default({}),
  status: changesetStatus("status").notNull().default("open"),
  promotedFromId: uuid("promoted_from_id"),
  /** A revert changeset: the run whose components it replays the previous revisions of. */
  revertsRunId: uuid("reverts_run_id"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
