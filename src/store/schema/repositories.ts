import { bigint, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { installations } from "./installations.js";

export const repositories = pgTable("repositories", {
  id: bigint("id", { mode: "number" }).primaryKey(),
  installationId: bigint("installation_id", { mode: "number" })
    .notNull()
    .references(() => installations.id, { onDelete: "cascade" }),
  fullName: text("full_name").notNull(),
  defaultBranch: text("default_branch"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  removedAt: timestamp("removed_at", { withTimezone: true }),
});
