import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ComponentPhase } from "../../../src/domain/component-phase.js";
import type { DriftStore } from "../../../src/services/drift-port.js";
import type { Database } from "../../../src/store/database.js";
import { createDriftRepository } from "../../../src/store/drift-repository.js";
import {
  components,
  environments,
  revisions,
  runComponents,
  runs,
} from "../../../src/store/schema/index.js";
import {
  databaseKinds,
  openScratchDatabase,
  type OpenScratchDatabase,
} from "../../helpers/databases.js";
import { networkSpec, seedRepository, seedRun, SHA } from "../../helpers/seed.js";

const REPOSITORY = 1296269;
const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));

/** Drift schedules, claims and findings, on each database the store runs on. */
describe.each(databaseKinds)("drift store on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let database: Database;
  let store: DriftStore;
  let prod = "";

  /** A run of `kind` on the prod network component, its one component in `phase`. */
  const runIn = async (runKind: "drift" | "tracked", phase: ComponentPhase, stack = "network") => {
    const seeded = await seedRun(database.db, networkSpec({ stack, environment: "prod" }));
    await database.db.update(runs).set({ kind: runKind }).where(eq(runs.id, seeded.runId));
    await database.db
      .update(runComponents)
      .set({ phase })
      .where(eq(runComponents.id, seeded.runComponentId));
    return seeded;
  };
  const setPhase = (runComponentId: string, phase: ComponentPhase) =>
    database.db.update(runComponents).set({ phase }).where(eq(runComponents.id, runComponentId));
  /** The component's run applied: its revision becomes the deployed head. */
  const deploy = async (seeded: { runId: string; componentId: string }, commitSha = SHA) => {
    const [revision] = await database.db
      .insert(revisions)
      .values({
        componentId: seeded.componentId,
        runId: seeded.runId,
        commitSha,
        inputs: { variables: { region: "eu-west-1" } },
        planDigest: "sha256:1",
        startedAt: new Date(),
      })
      .returning();
    await database.db
      .update(components)
      .set({ deployedRevisionId: revision!.id })
      .where(eq(components.id, seeded.componentId));
  };
  const nextAt = async () =>
    (
      await database.db
        .select({ at: environments.driftNextAt })
        .from(environments)
        .where(eq(environments.id, prod))
    )[0]?.at;

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    database = opened.database;
    store = createDriftRepository(database.db);
    await seedRepository(database.db, REPOSITORY);
  });
  afterAll(async () => {
    await opened?.close();
  });

  it("records the tracked branch's settings, creating environments, and drops those it no longer names", async () => {
    await store.recordDriftSettings(REPOSITORY, [
      { environment: "prod", production: true, schedule: "0 */6 * * *", reconcile: true },
      { environment: "dev", production: false, schedule: undefined, reconcile: false },
    ]);
    const rows = await database.db
      .select({
        name: environments.name,
        production: environments.production,
        schedule: environments.driftSchedule,
        reconcile: environments.driftReconcile,
      })
      .from(environments)
      .orderBy(environments.name);
    expect(rows).toEqual([
      { name: "dev", production: false, schedule: null, reconcile: false },
      { name: "prod", production: true, schedule: "0 */6 * * *", reconcile: true },
    ]);
    prod = (await database.db.select().from(environments).where(eq(environments.name, "prod")))[0]!
      .id;

    await store.recordDriftSettings(REPOSITORY, [
      { environment: "dev", production: false, schedule: "@daily", reconcile: false },
    ]);
    const after = await database.db
      .select({ name: environments.name, schedule: environments.driftSchedule })
      .from(environments)
      .orderBy(environments.name);
    expect(after).toEqual([
      { name: "dev", schedule: "@daily" },
      { name: "prod", schedule: null },
    ]);
    await store.recordDriftSettings(REPOSITORY, [
      { environment: "prod", production: true, schedule: "0 */6 * * *", reconcile: true },
    ]);
  });

  it("offers only environments with something deployed, and those without a schedule only with a default", async () => {
    expect(await store.driftCandidates(true)).toEqual([]);
    const network = await runIn("tracked", "FINISHED");
    await deploy(network);
    const app = await runIn("tracked", "FINISHED", "app");
    await deploy(app);
    await database.db
      .update(runComponents)
      .set({ spec: networkSpec({ stack: "app", environment: "prod", destroy: true }) })
      .where(eq(runComponents.runId, app.runId));

    expect(await store.driftCandidates(false)).toEqual([
      {
        environmentId: prod,
        environment: "prod",
        production: true,
        repositoryId: REPOSITORY,
        repositoryFullName: "acme/infra",
        installationId: 1,
        defaultBranch: undefined,
        schedule: "0 */6 * * *",
        nextAt: undefined,
      },
    ]);
    // A destroyed component is deployed no more: only network is planned again.
    const deployed = await store.deployedComponents(prod);
    expect(deployed.map((component) => component.stack)).toEqual(["network"]);
    expect(deployed[0]?.revision).toMatchObject({
      commitSha: SHA,
      inputs: { variables: { region: "eu-west-1" } },
      spec: { stack: "network", dir: "infra/network" },
    });
  });

  it("sets the next time by compare-and-set", async () => {
    expect(await store.scheduleDriftCheck(prod, undefined, T(0))).toBe(true);
    expect(await store.scheduleDriftCheck(prod, undefined, T(5))).toBe(false);
    expect(await nextAt()).toEqual(T(0));
  });

  it("lets one of many concurrent claims of a due check win", async () => {
    const claims = await Promise.all(
      Array.from({ length: 6 }, () => store.claimDriftCheck(prod, T(0), T(60))),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await nextAt()).toEqual(T(60));
  });

  it("refuses a claim while a drift check runs or something applies, leaving the time due", async () => {
    const check = await runIn("drift", "PLANNING");
    expect(await store.claimDriftCheck(prod, T(60), T(120))).toBe(false);
    await setPhase(check.runComponentId, "FINISHED");
    const applying = await runIn("tracked", "APPLYING");
    expect(await store.claimDriftCheck(prod, T(60), T(120))).toBe(false);
    expect(await nextAt()).toEqual(T(60));
    await setPhase(applying.runComponentId, "FAILED");
    // Waiting for approval applies nothing yet: the check goes ahead.
    await runIn("tracked", "UNCONFIRMED");
    expect(await store.claimDriftCheck(prod, T(60), T(120))).toBe(true);
  });

  it("records a check's finding once, keeps the last answer when inconclusive, and the issue", async () => {
    const check = await runIn("drift", "FINISHED");
    const first = await store.recordDriftOutcome(check.runId, true, T(130));
    expect(first).toEqual({
      environmentId: prod,
      drifted: true,
      runId: check.runId,
      checkedAt: T(130),
      issueNumber: undefined,
      reconcile: true,
    });
    expect(await store.recordDriftOutcome(check.runId, true, T(131))).toBeUndefined();
    await store.setDriftIssue(prod, 42);

    const failed = await runIn("drift", "FAILED");
    expect(await store.recordDriftOutcome(failed.runId, undefined, T(140))).toBeUndefined();
    expect(await store.driftStateOfRun(failed.runId)).toEqual({
      environmentId: prod,
      drifted: true,
      runId: check.runId,
      checkedAt: T(140),
      issueNumber: 42,
      reconcile: true,
    });

    const clean = await runIn("drift", "FINISHED");
    expect(await store.recordDriftOutcome(clean.runId, false, T(150))).toMatchObject({
      drifted: false,
      runId: clean.runId,
      issueNumber: 42,
    });
    await store.setDriftIssue(prod, undefined);
    expect((await store.driftStateOfRun(clean.runId))?.issueNumber).toBeUndefined();
  });
});
