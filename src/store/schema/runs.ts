import { bigint, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { apiTokens } from "./api-tokens.js";
import { changesets } from "./changesets.js";
import { environments } from "./environments.js";
import { runKind } from "./enums.js";
import { repositories } from "./repositories.js";

/**
 * One execution of a changeset or a tracked push. Its status is not stored: it is derived from
 * its components (docs/design.md invariant 8).
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
  pullRequestNumber: integer("pull_request_number"),
  /** The check run currently showing this run (a fresh one once a completed run starts applying). */
  checkRunId: bigint("check_run_id", { mode: "number" }),
  deploymentId: bigint("deployment_id", { mode: "number" }),
  /** The last deployment status sent, so each is sent once. */
  deploymentState: text("deployment_state"),
  /** Pre-plan scan findings (constructs that run code or reach out during plan). */
  scanFindings: jsonb("scan_findings").$type<unknown[]>().notNull().default([]),
  /** Digest of the last check-run content sent: an unchanged report costs no API call. */
  reportDigest: text("report_digest"),
  /** The API token a machine user started the run with; null when a person or GitHub did. */
  triggeredByTokenId: uuid("triggered_by_token_id").references(() => apiTokens.id, {
    onDelete: "set null",
  }),
  /** A trigger's runtime config (variables, env, targets, skip_apply), for this run alone. */
  runtimeConfig: jsonb("runtime_config").$type<Record<string, unknown>>(),
  confirmedBy: text("confirmed_by"),
  confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
