import { eq, max, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { COMPONENT_PHASES, type ComponentPhase } from "../domain/component-phase.js";
import { legalTransition, type TransitionCause } from "../domain/component-transitions.js";
import type { Db } from "./database.js";
import { runComponents, runEvents, runs } from "./schema/index.js";

/** A drizzle transaction of Bosun's database. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** One phase change of a run component whose row the caller holds locked, in its transaction. */
export interface ComponentMove {
  runId: string;
  runComponentId: string;
  from: ComponentPhase;
  to: ComponentPhase;
  cause: string;
  actor: string;
  /** Why, in the transition table's terms, when the caller knows. */
  by?: TransitionCause;
  /** Columns that change with the phase: the lease holder, the failure reason, attempts. */
  with?: PgUpdateSetSource<typeof runComponents>;
}

/**
 * The one way a component changes phase (docs/design.md "Lifecycle"): the move is checked against
 * the transition table and recorded as an event, then the row takes the new phase. The caller has
 * locked the row and checked it is still in `from` (a compare-and-swap); a move the table forbids
 * throws and rolls the transaction back. `updated_at` is the database's clock, which the lease
 * checks compare against.
 */
export async function moveComponent(tx: Tx, move: ComponentMove): Promise<void> {
  await appendEvent(tx, {
    runId: move.runId,
    runComponentId: move.runComponentId,
    fromState: move.from,
    toState: move.to,
    cause: move.cause,
    actor: move.actor,
    ...(move.by ? { by: move.by } : {}),
  });
  await tx
    .update(runComponents)
    .set({ ...move.with, phase: move.to, updatedAt: sql`now()` })
    .where(eq(runComponents.id, move.runComponentId));
}

/** A move the transition table (src/domain/component-transitions.ts) does not allow. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly runComponentId: string,
    readonly from: string,
    readonly to: string,
    runConfirmed: boolean,
  ) {
    super(
      `moving run component ${runComponentId} from ${from} to ${to}${runConfirmed ? " in a confirmed run" : ""}: not a legal transition`,
    );
    this.name = "IllegalTransitionError";
  }
}

const isPhase = (state: string): state is ComponentPhase =>
  (COMPONENT_PHASES as readonly string[]).includes(state);

/**
 * Appends one event with the run's next sequence number; the run row lock orders concurrent
 * writers. Every move of a component is recorded here, in the transaction that makes it, so this
 * is where a move the transition table forbids is refused: it throws, and the transaction (the
 * move with it) is rolled back. A component's first phase (no `fromState`) is not a move.
 */
export async function appendEvent(
  tx: Tx,
  event: {
    runId: string;
    runComponentId: string | null;
    fromState: string | null;
    toState: ComponentPhase | string;
    cause: string;
    actor: string;
    /** Why, in the table's terms, when the caller knows; otherwise any row for the move will do. */
    by?: TransitionCause;
  },
): Promise<void> {
  const { by, ...stored } = event;
  const [run] = await tx
    .select({ confirmedBy: runs.confirmedBy })
    .from(runs)
    .where(eq(runs.id, event.runId))
    .for("update");
  if (event.runComponentId !== null && event.fromState !== null) {
    const { fromState: from, toState: to } = event;
    const runConfirmed = run?.confirmedBy != null;
    if (!isPhase(from) || !isPhase(to) || !legalTransition({ from, to, cause: by, runConfirmed })) {
      throw new IllegalTransitionError(event.runComponentId, from, to, runConfirmed);
    }
  }
  const [last] = await tx
    .select({ sequence: max(runEvents.sequence) })
    .from(runEvents)
    .where(eq(runEvents.runId, event.runId));
  await tx.insert(runEvents).values({ ...stored, sequence: (last?.sequence ?? 0) + 1 });
}
