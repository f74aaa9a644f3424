import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { components } from "./components.js";
import { stateAccess } from "./enums.js";
import { runs } from "./runs.js";

/**
 * A basic-auth credential for one component's state, issued to one run's engine. The username is
 * `id`; the password exists only as its SHA-256 (a 256-bit random token needs no slow hash).
 */
export const stateCredentials = pgTable(
  "state_credentials",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    componentId: uuid("component_id")
      .notNull()
      .references(() => components.id, { onDelete: "cascade" }),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    access: stateAccess("access").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    /**
     * Set from the database clock when issued (run timeout plus a margin) and compared with it at
     * authentication, so a credential a dead worker never revoked still ends. The default only
     * covers rows issued before this column existed: they are expired at once.
     */
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("state_credentials_run").on(table.runId)],
);
