import { bigint, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { StepHook } from "../../domain/custom-step.js";
import type { SandboxKind } from "../../domain/sandbox-kind.js";
import { componentPhase } from "./enums.js";
import { runComponents } from "./run-components.js";

/** One timed phase of one component in one run, with its exit code and failure. */
export const runPhases = pgTable("run_phases", {
  id: uuid("id").primaryKey().defaultRandom(),
  runComponentId: uuid("run_component_id")
    .notNull()
    .references(() => runComponents.id, { onDelete: "cascade" }),
  phase: componentPhase("phase").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp("finished_at", { withTimezone: true }),
  exitCode: integer("exit_code"),
  error: text("error"),
  /** How the engine was confined in this phase (bubblewrap, or none); null before it was recorded. */
  sandbox: text("sandbox").$type<SandboxKind>(),
  /** A custom step's name, when the row is one (docs/design.md "Custom steps"); null for the engine's. */
  step: text("step"),
  stepHook: text("step_hook").$type<StepHook>(),
  /** The step's masked Markdown summary ($BOSUN_STEP_SUMMARY), when it wrote one. */
  stepSummary: text("step_summary"),
});

/** A phase's log, a (masked) line at a time, appended while the engine runs. */
export const phaseLogLines = pgTable(
  "phase_log_lines",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    phaseId: uuid("phase_id")
      .notNull()
      .references(() => runPhases.id, { onDelete: "cascade" }),
    line: text("line").notNull(),
    stream: text("stream").notNull().default("stdout"),
    loggedAt: timestamp("logged_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("phase_log_lines_phase").on(table.phaseId, table.id)],
);
