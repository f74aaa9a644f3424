import { and, eq, notInArray } from "drizzle-orm";
import { staleWaveReason } from "../domain/dependency-waves.js";
import { TERMINAL_PHASES } from "../domain/component-phase.js";
import type { RunTransitionStore } from "../services/run-transition-port.js";
import type { Db } from "./database.js";
import { discardComponents } from "./discard-components.js";
import { moveComponent } from "./move-component.js";
import {
  changesets,
  components,
  environments,
  runComponents,
  runs,
  stacks,
} from "./schema/index.js";

export function createRunTransitionRepository(db: Db): RunTransitionStore {
  return {
    async confirm(runId, runComponentIds, actor, cause) {
      return db.transaction(async (tx) => {
        const confirmed: string[] = [];
        for (const id of runComponentIds) {
          const [current] = await tx
            .select({ phase: runComponents.phase })
            .from(runComponents)
            .where(eq(runComponents.id, id))
            .for("update");
          if (current?.phase !== "UNCONFIRMED") continue;
          await moveComponent(tx, {
            runId,
            runComponentId: id,
            from: "UNCONFIRMED",
            to: "CONFIRMED",
            cause,
            actor,
            by: "confirm",
          });
          confirmed.push(id);
        }
        if (confirmed.length > 0) {
          await tx
            .update(runs)
            .set({ confirmedBy: actor, confirmedAt: new Date() })
            .where(eq(runs.id, runId));
        }
        return confirmed;
      });
    },

    async confirmWave(runId, runComponentIds, actor, cause) {
      return db.transaction(async (tx) => {
        const confirmed: string[] = [];
        const stale: string[] = [];
        for (const id of runComponentIds) {
          // Locking the component row orders this against recordRevision, which moves the head.
          const [current] = await tx
            .select({
              phase: runComponents.phase,
              head: components.deployedRevisionId,
              componentId: runComponents.componentId,
              baseHeads: changesets.baseHeads,
              stack: stacks.name,
              environment: environments.name,
            })
            .from(runComponents)
            .innerJoin(components, eq(components.id, runComponents.componentId))
            .innerJoin(stacks, eq(stacks.id, components.stackId))
            .innerJoin(environments, eq(environments.id, components.environmentId))
            .innerJoin(runs, eq(runs.id, runComponents.runId))
            .leftJoin(changesets, eq(changesets.id, runs.changesetId))
            .where(eq(runComponents.id, id))
            .for("update", { of: [runComponents, components] });
          if (current?.phase !== "UNCONFIRMED") continue;
          const base = current.baseHeads?.[current.componentId] ?? null;
          const moved = (current.head ?? null) !== base;
          const reason = staleWaveReason(`${current.stack}@${current.environment}`);
          await moveComponent(tx, {
            runId,
            runComponentId: id,
            from: "UNCONFIRMED",
            to: moved ? "FAILED" : "CONFIRMED",
            cause: moved ? reason : cause,
            actor: moved ? "bosun" : actor,
            by: moved ? "stale" : "confirm",
            ...(moved ? { with: { failureReason: reason } } : {}),
          });
          (moved ? stale : confirmed).push(id);
        }
        return { confirmed, stale };
      });
    },

    async releaseDeferred(runComponentId, to, cause) {
      return db.transaction(async (tx) => {
        const [current] = await tx
          .select({ phase: runComponents.phase, runId: runComponents.runId })
          .from(runComponents)
          .where(eq(runComponents.id, runComponentId))
          .for("update");
        if (current?.phase !== "DEFERRED") return false;
        await moveComponent(tx, {
          runId: current.runId,
          runComponentId,
          from: "DEFERRED",
          to,
          cause,
          actor: "bosun",
          by: to === "FAILED" ? "stale" : "release",
          with: { failureReason: to === "QUEUED" ? null : cause },
        });
        return true;
      });
    },

    async releaseNextHeld(componentId) {
      return db.transaction(async (tx) => {
        const open = await tx
          .select({ id: runComponents.id, held: runComponents.held })
          .from(runComponents)
          .innerJoin(runs, eq(runs.id, runComponents.runId))
          .where(
            and(
              eq(runs.kind, "tracked"),
              eq(runComponents.componentId, componentId),
              notInArray(runComponents.phase, [...TERMINAL_PHASES]),
            ),
          )
          .orderBy(runs.createdAt, runs.id)
          .for("update");
        if (open.length === 0 || open.some((row) => !row.held)) return undefined;
        const [next] = await tx
          .update(runComponents)
          .set({ held: false, failureReason: null, updatedAt: new Date() })
          .where(eq(runComponents.id, open[0]!.id))
          .returning({ runComponentId: runComponents.id, runId: runComponents.runId });
        return next;
      });
    },

    async discard(runId, actor, cause) {
      return db.transaction(
        async (tx) =>
          (await discardComponents(tx, eq(runComponents.runId, runId), { actor, cause })).length,
      );
    },
  };
}
