import {
  bigint,
  boolean,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { repositories } from "./repositories.js";

/**
 * What Bosun remembers of a pull request: its head, and the comment it edits in place (ids of the
 * comment and of any continuations), so finding it never costs a list call.
 */
export const pullRequests = pgTable(
  "pull_requests",
  {
    repositoryId: bigint("repository_id", { mode: "number" })
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    headSha: text("head_sha").notNull(),
    baseRef: text("base_ref").notNull(),
    author: text("author").notNull(),
    fork: boolean("fork").notNull().default(false),
    open: boolean("open").notNull().default(true),
    commentIds: jsonb("comment_ids").$type<number[]>().notNull().default([]),
    /** Digest of the comment bodies last written: an unchanged comment costs no API call. */
    commentDigest: text("comment_digest"),
    /** The one-off notices already posted (fork refused, waiting for a writer), so they are not repeated. */
    notices: jsonb("notices").$type<string[]>().notNull().default([]),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.repositoryId, table.number] })],
);
