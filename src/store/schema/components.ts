import { pgTable, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { environments } from "./environments.js";
import { stacks } from "./stacks.js";

/**
 * One stack in one environment. `deployedRevisionId` is its deployed head: the compare-and-swap
 * target of stale rejection (docs/design.md invariant 4). It has no foreign key because revisions also
 * reference components; the revision row is written in the same transaction.
 */
export const components = pgTable(
  "components",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    stackId: uuid("stack_id")
      .notNull()
      .references(() => stacks.id, { onDelete: "cascade" }),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    deployedRevisionId: uuid("deployed_revision_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [unique("components_stack_environment").on(table.stackId, table.environmentId)],
);
