import {
  bigint,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { components } from "./components.js";
import { bytea } from "./run-components.js";
import { runs } from "./runs.js";

/**
 * One stored engine state of one component (docs/design.md "State"), append-only. The state itself is
 * only kept sealed (AES-256-GCM): it holds every secret the engine knows. `serial` and `lineage`
 * are copied out in clear because they decide which writes are accepted.
 */
export const stateVersions = pgTable(
  "state_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // restrict, not cascade: losing a component's state silently is the worst outcome, so a
    // component that has state cannot be deleted until its state is dealt with on purpose.
    componentId: uuid("component_id")
      .notNull()
      .references(() => components.id, { onDelete: "restrict" }),
    serial: bigint("serial", { mode: "number" }).notNull(),
    lineage: text("lineage").notNull(),
    /** `sha256:<hex>` of the state as the engine sent it. */
    digest: text("digest").notNull(),
    /** Bytes of the state as the engine sent it (before sealing). */
    size: integer("size").notNull(),
    /** The run whose engine wrote it; null for an operator's `bosun state import`. */
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    sealedBody: bytea("sealed_body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    unique("state_versions_component_serial").on(table.componentId, table.serial),
    index("state_versions_run").on(table.runId),
  ],
);
