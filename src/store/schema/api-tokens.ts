import { bigint, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { apiTokenScope } from "./enums.js";
import { repositories } from "./repositories.js";

/**
 * A token for the HTTP API and the people's CLI (`bosun tokens create`). Only the SHA-256 of the
 * token is kept: it is shown once. Runs it starts are a machine user's.
 */
export const apiTokens = pgTable("api_tokens", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  scope: apiTokenScope("scope").notNull(),
  createdBy: text("created_by").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
});

/** The repositories a token may act on: none beyond these. */
export const apiTokenRepositories = pgTable(
  "api_token_repositories",
  {
    tokenId: uuid("token_id")
      .notNull()
      .references(() => apiTokens.id, { onDelete: "cascade" }),
    repositoryId: bigint("repository_id", { mode: "number" })
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
  },
  (table) => [primaryKey({ columns: [table.tokenId, table.repositoryId] })],
);
