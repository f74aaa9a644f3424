import { jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { components } from "./components.js";
import { bytea } from "./run-components.js";
import { runs } from "./runs.js";

/** What one component applied in one run. Append-only: never updated once written. */
export const revisions = pgTable("revisions", {
  id: uuid("id").primaryKey().defaultRandom(),
  componentId: uuid("component_id")
    .notNull()
    .references(() => components.id, { onDelete: "cascade" }),
  runId: uuid("run_id")
    .notNull()
    .references(() => runs.id, { onDelete: "cascade" }),
  commitSha: text("commit_sha").notNull(),
  /** Rendered inputs with secret values redacted. */
  inputs: jsonb("inputs").$type<Record<string, unknown>>().notNull().default({}),
  planDigest: text("plan_digest").notNull(),
  /** Non-sensitive outputs in clear; sensitive ones only in `sealedOutputs`. */
  outputs: jsonb("outputs").$type<Record<string, unknown>>().notNull().default({}),
  sealedOutputs: bytea("sealed_outputs"),
  stateVersionId: uuid("state_version_id"),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  finishedAt: timestamp("finished_at", { withTimezone: true }).notNull().defaultNow(),
});
