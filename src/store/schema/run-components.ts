import { sql } from "drizzle-orm";
import {
  boolean,
  customType,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { components } from "./components.js";
import { changeKind, componentPhase } from "./enums.js";
import { runs } from "./runs.js";

export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (value) => Buffer.from(value),
});

/** One component's progress within one run; `phase` is its lifecycle state. */
export const runComponents = pgTable(
  "run_components",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    componentId: uuid("component_id")
      .notNull()
      .references(() => components.id, { onDelete: "cascade" }),
    changeKind: changeKind("change_kind").notNull(),
    phase: componentPhase("phase").notNull().default("QUEUED"),
    wave: integer("wave").notNull().default(0),
    /** A tracked run's component waiting behind an earlier tracked run of the same component. */
    held: boolean("held").notNull().default(false),
    /** What the run executes for this component, fixed when the run is created (see ComponentSpec). */
    spec: jsonb("spec").notNull(),
    planDigest: text("plan_digest"),
    planSummary: jsonb("plan_summary"),
    /** The sealed (AES-256-GCM) workspace: plan file, lock file and rendered inputs. */
    sealedWorkspace: bytea("sealed_workspace"),
    workspaceDigest: text("workspace_digest"),
    failureReason: text("failure_reason"),
    /** The worker process executing the current phase, and its last sign of life (the lease). */
    workerId: text("worker_id"),
    /** The queue job that holds the lease: transitions and heartbeats of any other job are refused. */
    jobId: text("job_id"),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    /** Plan attempts started: a plan a lost worker left is retried, up to a bound. */
    planAttempts: integer("plan_attempts").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    unique("run_components_run_component").on(table.runId, table.componentId),
    // One writer per component (docs/design.md invariant 5), kept by the database, not by memory.
    uniqueIndex("run_components_one_writer")
      .on(table.componentId)
      .where(sql`${table.phase} in ('CONFIRMED', 'APPLYING')`),
  ],
);
