import { bigint, boolean, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
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
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [unique("environments_repository_name").on(table.repositoryId, table.name)],
);
