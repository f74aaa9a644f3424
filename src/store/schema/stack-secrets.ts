import { bigint, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { secretScope } from "./enums.js";
import { repositories } from "./repositories.js";
import { bytea } from "./run-components.js";

/**
 * A stack's secret variable, set by an operator (`bosun secrets set`), never in `bosun.yml`.
 * The value exists only sealed (AES-256-GCM); `scope` says which phases receive it, and
 * `environment_name` which environment (null: every environment of the stack, "stack-wide").
 */
export const stackSecrets = pgTable(
  "stack_secrets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    repositoryId: bigint("repository_id", { mode: "number" })
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    stackName: text("stack_name").notNull(),
    /** Null for a stack-wide secret; an environment's own secret wins over it. */
    environmentName: text("environment_name"),
    name: text("name").notNull(),
    scope: secretScope("scope").notNull(),
    sealedValue: bytea("sealed_value").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // Nulls are equal here: setting a stack-wide secret twice updates it rather than adding a
    // second row that would make its value ambiguous.
    unique("stack_secrets_repository_stack_environment_name")
      .on(table.repositoryId, table.stackName, table.environmentName, table.name)
      .nullsNotDistinct(),
  ],
);
