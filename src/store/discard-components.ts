import { and, eq, inArray, type SQL } from "drizzle-orm";
import { SUPERSEDABLE_PHASES } from "../domain/component-phase.js";
import { isDiscardable } from "../domain/component-transitions.js";
import { moveComponent, type Tx } from "./move-component.js";
import { runComponents, runs } from "./schema/index.js";

/**
 * Discards the unconfirmed components of the runs `which` selects, locking their rows first; a
 * confirmed run's queued and deferred components are its later waves, and nothing stops those
 * (invariant 2). Returns the ids of the runs a component was discarded in.
 */
export async function discardComponents(
  tx: Tx,
  which: SQL | undefined,
  why: { actor: string; cause: string },
): Promise<string[]> {
  const candidates = await tx
    .select({
      id: runComponents.id,
      runId: runComponents.runId,
      phase: runComponents.phase,
      confirmedBy: runs.confirmedBy,
    })
    .from(runComponents)
    .innerJoin(runs, eq(runs.id, runComponents.runId))
    .where(and(which, inArray(runComponents.phase, [...SUPERSEDABLE_PHASES])))
    .for("update", { of: runComponents });
  const rows = candidates.filter((row) => isDiscardable(row.phase, row.confirmedBy !== null));
  for (const row of rows) {
    await moveComponent(tx, {
      runId: row.runId,
      runComponentId: row.id,
      from: row.phase,
      to: "DISCARDED",
      cause: why.cause,
      actor: why.actor,
      by: "discard",
    });
  }
  return rows.map((row) => row.runId);
}
