import { bigint, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { engineKind } from "./enums.js";
import { repositories } from "./repositories.js";

/** One root module of a repository, as last declared in its tracked branch's `bosun.yml`. */
export const stacks = pgTable(
  "stacks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    repositoryId: bigint("repository_id", { mode: "number" })
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    dir: text("dir").notNull(),
    engine: engineKind("engine").notNull().default("opentofu"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp("removed_at", { withTimezone: true }),
  },
  (table) => [unique("stacks_repository_name").on(table.repositoryId, table.name)],
);
