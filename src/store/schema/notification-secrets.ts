import { bigint, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { repositories } from "./repositories.js";
import { bytea } from "./run-components.js";

/**
 * A repository's webhook signing secrets, named by its bosun.yml (`webhook.secret`) and set by an
 * operator (`bosun notifications secret set`). Kept apart from stack secrets on purpose: those
 * reach engines, which run a pull request's code, and a signing secret must reach no one.
 */
export const notificationSecrets = pgTable(
  "notification_secrets",
  {
    repositoryId: bigint("repository_id", { mode: "number" })
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    sealedValue: bytea("sealed_value").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [unique("notification_secrets_repository_name").on(table.repositoryId, table.name)],
);
