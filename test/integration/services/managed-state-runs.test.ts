import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../../src/runner/engine.js";
import {
  executeRunComponent,
  type ExecutorDeps,
} from "../../../src/services/execute-run-component.js";
import { recoverLostComponents } from "../../../src/services/recover-lost-components.js";
import { createManagedState } from "../../../src/state/create-managed-state.js";
import { createStateBackendLender } from "../../../src/state/lend-state-backend.js";
import { createRunRepository } from "../../../src/store/run-repository.js";
import { createLeaseRepository } from "../../../src/store/lease-repository.js";
import { revisions, runComponents, stateVersions } from "../../../src/store/schema/index.js";
import { createSecretRepository } from "../../../src/store/secret-repository.js";
import { createStateCredentialRepository } from "../../../src/store/state-credential-repository.js";
import { createStateRepository } from "../../../src/store/state-repository.js";
import { databaseKinds } from "../../helpers/databases.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { networkSpec, seedRepository, seedRun } from "../../helpers/seed.js";
import { STAND_IN_TERRAFORM, STAND_IN_TOFU } from "../../helpers/stand-in.js";
import { lockInfo, stateClient, stateJson } from "../../helpers/state-client.js";
import { startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";
import { componentRunner } from "../../../src/runner/component-runner.js";

describe.each(databaseKinds)("runs on Bosun's managed state on %s", (kind) => {
  let bosun: TestBosun;
  let deps: ExecutorDeps;
  let managedState: ReturnType<typeof createManagedState>;

  beforeAll(async () => {
    // The web process serves /state; the executor below is the worker.
    bosun = await startTestBosun(kind, { env: { BOSUN_WORKERS: "0" } });
    const db = bosun.database.db;
    await seedRepository(db);
    managedState = createManagedState({
      store: createStateRepository(db),
      credentials: createStateCredentialRepository(db),
      key: bosun.config.encryptionKey,
      log: pino({ level: "silent" }),
    });
    const tarball = await repoTarball(networkStackFiles);
    deps = {
      runner: componentRunner,
      runs: createRunRepository(db),
      leases: createLeaseRepository(db),
      workerId: "test-worker",
      leaseMs: 30_000,
      secrets: createSecretRepository(db, bosun.config.encryptionKey),
      fetchSource: async () => tarball,
      engines: {
        opentofu: createEngine("opentofu", STAND_IN_TOFU),
        terraform: createEngine("terraform", STAND_IN_TERRAFORM),
      },
      encryptionKey: bosun.config.encryptionKey,
      workspaceRoot: `${bosun.scratch.dataDir}/workspaces`,
      timeoutMs: 30_000,
      hostEnv: { PATH: process.env.PATH },
      stateBackend: createStateBackendLender({ managedState, stateUrl: bosun.url }),
      stateVersionOf: async (componentId) =>
        (await managedState.latestStateVersion(componentId))?.id,
      log: pino({ level: "silent" }),
    };
  });
  afterAll(async () => {
    await bosun?.close();
  });

  const planAndApply = async () => {
    const { runComponentId, componentId } = await seedRun(
      bosun.database.db,
      networkSpec({ environment: "prod" }),
    );
    const planned = await executeRunComponent(deps, { runComponentId, action: "plan" });
    return { runComponentId, componentId, planned };
  };
  const confirm = (runComponentId: string) =>
    deps.runs.transition(runComponentId, ["UNCONFIRMED"], "CONFIRMED", "/apply", "octocat");

  it("keeps state between runs: after an apply, the next plan has no changes", async () => {
    const first = await planAndApply();
    expect(first.planned).toBe("UNCONFIRMED");
    await confirm(first.runComponentId);
    expect(
      await executeRunComponent(deps, { runComponentId: first.runComponentId, action: "apply" }),
    ).toBe("FINISHED");

    const [revision] = await bosun.database.db
      .select()
      .from(revisions)
      .where(eq(revisions.componentId, first.componentId));
    const versions = await bosun.database.db
      .select()
      .from(stateVersions)
      .where(eq(stateVersions.componentId, first.componentId));
    expect(versions.length).toBeGreaterThan(0);
    expect(revision?.stateVersionId).toBe(versions.sort((a, b) => b.serial - a.serial)[0]?.id);

    const second = await planAndApply();
    expect(second.planned).toBe("FINISHED");
  });

  it("refuses a stale plan: another run applied the component after it was planned", async () => {
    const reviewed = await seedRun(
      bosun.database.db,
      networkSpec({ stack: "stale-network", variables: { region: "a" } }),
    );
    expect(
      await executeRunComponent(deps, { runComponentId: reviewed.runComponentId, action: "plan" }),
    ).toBe("UNCONFIRMED");
    const other = await seedRun(
      bosun.database.db,
      networkSpec({ stack: "stale-network", variables: { region: "b" } }),
    );
    expect(
      await executeRunComponent(deps, { runComponentId: other.runComponentId, action: "plan" }),
    ).toBe("UNCONFIRMED");
    await confirm(other.runComponentId);
    expect(
      await executeRunComponent(deps, { runComponentId: other.runComponentId, action: "apply" }),
    ).toBe("FINISHED");

    await confirm(reviewed.runComponentId);
    expect(
      await executeRunComponent(deps, { runComponentId: reviewed.runComponentId, action: "apply" }),
    ).toBe("FAILED");
    const [row] = await bosun.database.db
      .select()
      .from(runComponents)
      .where(eq(runComponents.id, reviewed.runComponentId));
    expect(row?.failureReason).toMatch(/^stale: .*Saved plan is stale.*run \/plan to re-plan/s);
  });

  it("revokes the phase's state credential when the phase ends", async () => {
    const { runComponentId } = await seedRun(
      bosun.database.db,
      networkSpec({ stack: "masked-network" }),
    );
    await executeRunComponent(deps, { runComponentId, action: "plan" });
    const credentials = await bosun.database.db.execute<{ revoked: boolean }>(
      // Raw SQL: the credential table's columns are an implementation detail of src/state.
      `select revoked_at is not null as revoked from state_credentials` as unknown as Parameters<
        typeof bosun.database.db.execute
      >[0],
    );
    const rows = Array.isArray(credentials)
      ? credentials
      : (credentials as unknown as { rows: { revoked: boolean }[] }).rows;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.revoked)).toBe(true);
  });
  it("releases the state lock of an apply a lost worker left APPLYING", async () => {
    const { runId, runComponentId, componentId } = await seedRun(
      bosun.database.db,
      networkSpec({ stack: "crashed-network" }),
    );
    expect(await executeRunComponent(deps, { runComponentId, action: "plan" })).toBe("UNCONFIRMED");
    await confirm(runComponentId);
    // The lost worker: it took the lock with its run's credential, then died mid-apply.
    const credential = await managedState.issueStateCredential({
      componentId,
      runId,
      access: "write",
    });
    const held = stateClient(`${bosun.url}/state/${componentId}`, credential);
    const lost = lockInfo("lost-worker");
    expect((await held.lock(lost)).status).toBe(200);
    await deps.leases.claim(
      runComponentId,
      { from: "CONFIRMED", to: "APPLYING", cause: "apply started" },
      { workerId: "lost-worker", jobId: randomUUID() },
    );
    await bosun.database.db
      .update(runComponents)
      .set({ heartbeatAt: new Date(Date.now() - 3_600_000), updatedAt: new Date(0) })
      .where(eq(runComponents.id, runComponentId));
    const recovered = await recoverLostComponents({
      leases: deps.leases,
      queue: bosun.queue,
      leaseMs: 30_000,
      releaseStateLock: (lostRunId, lostComponentId) =>
        managedState.releaseLocksOfRun(lostRunId, lostComponentId),
      afterRecovery: async () => undefined,
      log: pino({ level: "silent" }),
    });
    expect(recovered.map((lostOne) => lostOne.runComponentId)).toEqual([runComponentId]);
    const other = await seedRun(bosun.database.db, networkSpec({ stack: "crashed-network" }));
    const next = await managedState.issueStateCredential({
      componentId,
      runId: other.runId,
      access: "write",
    });
    const nextClient = stateClient(`${bosun.url}/state/${componentId}`, next);
    expect((await nextClient.lock(lockInfo("next"))).status).toBe(200);
    // The lost worker's credential ended with its component (FAILED)…
    expect((await held.post(stateJson(1, randomUUID()), lost.ID)).status).toBe(403);
    // …and its lock ID no longer writes, whoever sends it.
    expect((await nextClient.post(stateJson(1, randomUUID()), lost.ID)).status).toBe(409);
  });
});
