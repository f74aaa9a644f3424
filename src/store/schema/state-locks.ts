import { jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { components } from "./components.js";
import { runs } from "./runs.js";

/**
 * The engine's state lock, one row per locked component. `info` is the engine's LockInfo as it
 * sent it (who, operation, version): not secret, and returned whole to a contending locker.
 */
export const stateLocks = pgTable("state_locks", {
  componentId: uuid("component_id")
    .primaryKey()
    .references(() => components.id, { onDelete: "cascade" }),
  lockId: text("lock_id").notNull(),
  info: jsonb("info").$type<Record<string, unknown>>().notNull(),
  /** The run whose credential took the lock, so that crash recovery can release it. */
  runId: uuid("run_id").references(() => runs.id, { onDelete: "cascade" }),
  acquiredAt: timestamp("acquired_at", { withTimezone: true }).notNull().defaultNow(),
});
