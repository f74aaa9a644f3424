import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../../src/runner/engine.js";
import { executeRunComponent } from "../../../src/services/execute-run-component.js";
import { recoverLostComponents } from "../../../src/services/recover-lost-components.js";
import { createManagedState } from "../../../src/state/create-managed-state.js";
import { createStateBackendLender } from "../../../src/state/lend-state-backend.js";
import type { ManagedStateDeps } from "../../../src/state/managed-state-deps.js";
import { createLeaseRepository } from "../../../src/store/lease-repository.js";
import { createRunRepository } from "../../../src/store/run-repository.js";
import { runComponents, stateCredentials } from "../../../src/store/schema/index.js";
import { createSecretRepository } from "../../../src/store/secret-repository.js";
import { createStateCredentialRepository } from "../../../src/store/state-credential-repository.js";
import { createStateRepository } from "../../../src/store/state-repository.js";
import { databaseKinds } from "../../helpers/databases.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { networkSpec, seedRun } from "../../helpers/seed.js";
import { STAND_IN_TERRAFORM, standInWith } from "../../helpers/stand-in.js";
import { stateClient } from "../../helpers/state-client.js";
import { startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";
import { componentRunner } from "../../../src/runner/component-runner.js";

const silent = pino({ level: "silent" });

describe.each(databaseKinds)("state credentials that end on %s", (kind) => {
  let bosun: TestBosun;
  let deps: ManagedStateDeps;
  let stacks = 0;

  beforeAll(async () => {
    bosun = await startTestBosun(kind, { env: { BOSUN_WORKERS: "0" } });
    deps = {
      store: createStateRepository(bosun.database.db),
      credentials: createStateCredentialRepository(bosun.database.db),
      key: bosun.config.encryptionKey,
      log: silent,
    };
  });
  afterAll(async () => {
    await bosun?.close();
  });

  /** A run of a component of its own; its stack's directory is the network stack's. */
  const seed = async () => {
    stacks += 1;
    return seedRun(bosun.database.db, networkSpec({ stack: `lifetime-${stacks}` }));
  };
  const client = (componentId: string, credential: { username: string; password: string }) =>
    stateClient(`${bosun.url}/state/${componentId}`, credential);
  const row = async (id: string) =>
    (await bosun.database.db.select().from(stateCredentials).where(eq(stateCredentials.id, id)))[0];

  it("a credential past its lifetime is refused, by the database's clock, though never revoked", async () => {
    const { runId, componentId } = await seed();
    const lasting = await createManagedState({
      ...deps,
      credentialLifetimeMs: 3_600_000,
    }).issueStateCredential({ componentId, runId });
    // A lifetime of nothing: expired as soon as the database's clock moves on.
    const spent = await createManagedState({
      ...deps,
      credentialLifetimeMs: 0,
    }).issueStateCredential({ componentId, runId });

    expect((await client(componentId, lasting).get()).status).toBe(204);
    const refused = await client(componentId, spent).get();
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/expired/);
    expect((await row(spent.username))?.revokedAt).toBeNull();
    const lastingRow = await row(lasting.username);
    expect(lastingRow!.expiresAt.getTime() - lastingRow!.createdAt.getTime()).toBe(3_600_000);
  });

  it("a credential whose run component has ended is refused, whatever ended it", async () => {
    const { runId, runComponentId, componentId } = await seed();
    const credential = await createManagedState(deps).issueStateCredential({ componentId, runId });
    expect((await client(componentId, credential).get()).status).toBe(204);
    // A discard, like every path to a terminal phase, ends what the credential was for.
    await bosun.database.db
      .update(runComponents)
      .set({ phase: "DISCARDED" })
      .where(eq(runComponents.id, runComponentId));
    const refused = await client(componentId, credential).get();
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/ended/);
  });

  it("revokes one component's credentials of a run, or all of the run's", async () => {
    const { runId, componentId } = await seed();
    const other = await seed();
    const managed = createManagedState(deps);
    const own = await managed.issueStateCredential({ componentId, runId });
    // Another component of the same run (credentials need no run component of their own).
    const sibling = await managed.issueStateCredential({ componentId: other.componentId, runId });

    expect(await managed.revokeStateCredentials(runId, componentId)).toBe(1);
    expect((await client(componentId, own).get()).status).toBe(403);
    expect((await client(other.componentId, sibling).get()).status).toBe(204);
    expect(await managed.revokeStateCredentials(runId)).toBe(1);
    expect((await client(other.componentId, sibling).get()).status).toBe(403);
  });

  it("recovery revokes the credentials a lost worker was given for the component", async () => {
    const { runId, runComponentId, componentId } = await seed();
    const managed = createManagedState(deps);
    const leases = createLeaseRepository(bosun.database.db);
    await leases.claim(
      runComponentId,
      { from: "QUEUED", to: "PREPARING", cause: "plan started" },
      { workerId: "lost-worker", jobId: randomUUID() },
    );
    const lost = await managed.issueStateCredential({ componentId, runId, access: "read" });
    await bosun.database.db
      .update(runComponents)
      .set({ heartbeatAt: new Date(Date.now() - 3_600_000) })
      .where(eq(runComponents.id, runComponentId));

    const recovered = await recoverLostComponents({
      leases,
      queue: bosun.queue,
      leaseMs: 30_000,
      revokeStateCredentials: (lostRunId, lostComponentId) =>
        managed.revokeStateCredentials(lostRunId, lostComponentId),
      afterRecovery: async () => undefined,
      log: silent,
    });
    expect(recovered.map((component) => component.runComponentId)).toEqual([runComponentId]);
    expect((await row(lost.username))?.revokedAt).toBeInstanceOf(Date);
    const refused = await client(componentId, lost).get();
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/revoked/);
  });

  it("stops a job that outlives the run timeout and its margin, before its credential ends", async () => {
    const { runComponentId } = await seed();
    const timeoutMs = 2_000;
    // Every engine command takes most of a second: each is well within the run timeout, the
    // job as a whole (version, init, plan, show -json, show) is not within 1.5 timeouts.
    const slow = await standInWith({}, "tofu");
    const engine = `${slow}-slow`;
    await writeFile(engine, `#!/bin/sh\nsleep 0.9\nexec '${slow}' "$@"\n`, { mode: 0o755 });
    const managedState = createManagedState({ ...deps, credentialLifetimeMs: 3_000 });
    const outcome = await executeRunComponent(
      {
        runner: componentRunner,
        runs: createRunRepository(bosun.database.db),
        leases: createLeaseRepository(bosun.database.db),
        workerId: "test-worker",
        leaseMs: 30_000,
        secrets: createSecretRepository(bosun.database.db, bosun.config.encryptionKey),
        fetchSource: async () => repoTarball(networkStackFiles),
        engines: {
          opentofu: createEngine("opentofu", engine),
          terraform: createEngine("terraform", STAND_IN_TERRAFORM),
        },
        encryptionKey: bosun.config.encryptionKey,
        workspaceRoot: `${bosun.scratch.dataDir}/workspaces`,
        timeoutMs,
        hostEnv: { PATH: process.env.PATH },
        stateBackend: createStateBackendLender({ managedState, stateUrl: bosun.url }),
        log: silent,
      },
      { runComponentId, action: "plan" },
    );
    expect(outcome).toBe("FAILED");
    const [component] = await bosun.database.db
      .select()
      .from(runComponents)
      .where(eq(runComponents.id, runComponentId));
    expect(component?.failureReason).toMatch(
      /^stopped after 3 s: the job outlived BOSUN_RUN_TIMEOUT and its margin/,
    );
  });
});
