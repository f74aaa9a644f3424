import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ComponentPhase } from "../../../src/domain/component-phase.js";
import type { Database } from "../../../src/store/database.js";
import { IllegalTransitionError, moveComponent } from "../../../src/store/move-component.js";
import { runComponents, runEvents, runs } from "../../../src/store/schema/index.js";
import {
  databaseKinds,
  openScratchDatabase,
  type OpenScratchDatabase,
} from "../../helpers/databases.js";
import { networkSpec, seedRepository, seedRun } from "../../helpers/seed.js";

/** The one way the store changes a component's phase, against the transition table. */
describe.each(databaseKinds)("moving a component on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let database: Database;
  let sha = 0;

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    database = opened.database;
    await seedRepository(database.db);
  });
  afterAll(async () => {
    await opened.close();
  });

  /** A component of a fresh run, put in `phase` directly (a run's first phase is not a move). */
  const componentIn = async (phase: ComponentPhase, confirmed = false) => {
    sha += 1;
    const seeded = await seedRun(database.db, networkSpec(), String(sha).padStart(40, "0"));
    await database.db
      .update(runComponents)
      .set({ phase })
      .where(eq(runComponents.id, seeded.runComponentId));
    if (confirmed)
      await database.db
        .update(runs)
        .set({ confirmedBy: "octocat" })
        .where(eq(runs.id, seeded.runId));
    return seeded;
  };
  const stateOf = async (seeded: { runId: string; runComponentId: string }) => {
    const [row] = await database.db
      .select({ phase: runComponents.phase, failureReason: runComponents.failureReason })
      .from(runComponents)
      .where(eq(runComponents.id, seeded.runComponentId));
    const events = await database.db
      .select({ from: runEvents.fromState, to: runEvents.toState, sequence: runEvents.sequence })
      .from(runEvents)
      .where(eq(runEvents.runId, seeded.runId));
    return { ...row, events };
  };

  it("moves along a row of the table: the new phase, the columns that go with it, one event", async () => {
    const seeded = await componentIn("UNCONFIRMED");
    await database.db.transaction((tx) =>
      moveComponent(tx, {
        ...seeded,
        from: "UNCONFIRMED",
        to: "FAILED",
        cause: "stale",
        actor: "bosun",
        by: "stale",
        with: { failureReason: "stale: network@dev moved" },
      }),
    );
    expect(await stateOf(seeded)).toEqual({
      phase: "FAILED",
      failureReason: "stale: network@dev moved",
      events: [{ from: "UNCONFIRMED", to: "FAILED", sequence: 1 }],
    });
  });

  it.each([
    ["a terminal phase", "FINISHED", "QUEUED", false],
    ["a skipped step", "QUEUED", "APPLYING", false],
    ["an unconfirmed plan straight to applying", "UNCONFIRMED", "APPLYING", false],
    ["a confirmed run's later wave discarded", "QUEUED", "DISCARDED", true],
  ] as const)("refuses %s and changes nothing", async (_name, from, to, confirmed) => {
    const seeded = await componentIn(from, confirmed);
    await expect(
      database.db.transaction((tx) =>
        moveComponent(tx, { ...seeded, from, to, cause: "test", actor: "octocat" }),
      ),
    ).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(await stateOf(seeded)).toEqual({ phase: from, failureReason: null, events: [] });
  });
});
