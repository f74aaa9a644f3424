import { and, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import { LEASED_PHASES } from "../domain/component-phase.js";
import type { LeaseStore, LostComponent } from "../services/lease-port.js";
import type { Db } from "./database.js";
import { moveComponent } from "./move-component.js";
import { runComponents } from "./schema/index.js";

/**
 * Worker leases on run components, kept in the database so every worker on every machine sees
 * them. Times come from the database's clock (`now()`), never from the workers' own clocks.
 */
export function createLeaseRepository(db: Db): LeaseStore {
  const staleBefore = (leaseMs: number) => sql`now() - make_interval(secs => ${leaseMs / 1000})`;
  const lastSignOfLife = sql`coalesce(${runComponents.heartbeatAt}, ${runComponents.updatedAt})`;

  return {
    async claim(runComponentId, move, holder) {
      return db.transaction(async (tx) => {
        const [current] = await tx
          .select({ phase: runComponents.phase, runId: runComponents.runId })
          .from(runComponents)
          .where(eq(runComponents.id, runComponentId))
          .for("update");
        if (!current || current.phase !== move.from) return false;
        await moveComponent(tx, {
          runId: current.runId,
          runComponentId,
          from: current.phase,
          to: move.to,
          cause: move.cause,
          actor: holder.workerId,
          with: {
            workerId: holder.workerId,
            jobId: holder.jobId,
            heartbeatAt: sql`now()`,
            ...(move.to === "APPLYING"
              ? {}
              : { planAttempts: sql`${runComponents.planAttempts} + 1` }),
          },
        });
        return true;
      });
    },

    async heartbeat(runComponentId, jobId) {
      const beaten = await db
        .update(runComponents)
        .set({ heartbeatAt: sql`now()` })
        .where(
          and(
            eq(runComponents.id, runComponentId),
            eq(runComponents.jobId, jobId),
            inArray(runComponents.phase, [...LEASED_PHASES]),
          ),
        )
        .returning({ id: runComponents.id });
      return beaten.length > 0;
    },

    async findLost(leaseMs) {
      const rows = await db
        .select({
          runComponentId: runComponents.id,
          runId: runComponents.runId,
          componentId: runComponents.componentId,
          phase: runComponents.phase,
          jobId: runComponents.jobId,
          workerId: runComponents.workerId,
          planAttempts: runComponents.planAttempts,
        })
        .from(runComponents)
        .where(
          and(
            inArray(runComponents.phase, [...LEASED_PHASES]),
            lt(lastSignOfLife, staleBefore(leaseMs)),
          ),
        );
      return rows.map((row): LostComponent => ({
        ...row,
        // No job id: the phase started before leases existed, under an older Bosun.
        jobId: row.jobId ?? undefined,
        workerId: row.workerId ?? "unknown worker",
      }));
    },

    async release(lost, leaseMs, outcome) {
      return db.transaction(async (tx) => {
        // Re-checked under the row lock: a worker that beat in the meantime keeps its lease.
        const [current] = await tx
          .select({ phase: runComponents.phase })
          .from(runComponents)
          .where(
            and(
              eq(runComponents.id, lost.runComponentId),
              lost.jobId === undefined
                ? isNull(runComponents.jobId)
                : eq(runComponents.jobId, lost.jobId),
              inArray(runComponents.phase, [...LEASED_PHASES]),
              lt(lastSignOfLife, staleBefore(leaseMs)),
            ),
          )
          .for("update");
        if (!current) return false;
        await moveComponent(tx, {
          runId: lost.runId,
          runComponentId: lost.runComponentId,
          from: current.phase,
          to: outcome.to,
          cause: outcome.cause,
          actor: "bosun",
          with: {
            jobId: null,
            workerId: null,
            ...(outcome.to === "FAILED" ? { failureReason: outcome.cause } : {}),
          },
        });
        return true;
      });
    },
  };
}
