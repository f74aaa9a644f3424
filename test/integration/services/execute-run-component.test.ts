import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEncryptionKey, open } from "../../../src/lib/seal.js";
import { createEngine, type Engine } from "../../../src/runner/engine.js";
import {
  APPLY_INTERRUPTED,
  executeRunComponent,
  type ExecutorDeps,
} from "../../../src/services/execute-run-component.js";
import type { JobQueue } from "../../../src/services/queue-port.js";
import {
  MAX_PLAN_ATTEMPTS,
  recoverLostComponents,
} from "../../../src/services/recover-lost-components.js";
import type { Database } from "../../../src/store/database.js";
import { createRunRepository } from "../../../src/store/run-repository.js";
import { createLeaseRepository } from "../../../src/store/lease-repository.js";
import {
  components,
  phaseLogLines,
  revisions,
  runComponents,
  runEvents,
  runPhases,
  runs,
} from "../../../src/store/schema/index.js";
import { createSecretRepository } from "../../../src/store/secret-repository.js";
import {
  databaseKinds,
  openScratchDatabase,
  type OpenScratchDatabase,
  type ScratchDatabase,
} from "../../helpers/databases.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { networkSpec, seedRepository, seedRun } from "../../helpers/seed.js";
import {
  engineInvocations,
  STAND_IN_TERRAFORM,
  STAND_IN_TOFU,
  standInWith,
} from "../../helpers/stand-in.js";
import type { ComponentSpec } from "../../../src/domain/component-spec.js";
import { componentRunner } from "../../../src/runner/component-runner.js";

const ownState = (overrides: Partial<ComponentSpec> = {}) =>
  networkSpec({ state: "own", ...overrides });

describe.each(databaseKinds)("executing a run component on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let scratch: ScratchDatabase;
  let database: Database;
  const { key } = generateEncryptionKey();
  let tarball: Buffer;

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    ({ scratch, database } = opened);
    await seedRepository(database.db);
    tarball = await repoTarball(networkStackFiles);
  });
  afterAll(async () => {
    await opened.close();
  });

  const deps = (overrides: Partial<ExecutorDeps> = {}): ExecutorDeps => ({
    runner: componentRunner,
    runs: createRunRepository(database.db),
    leases: createLeaseRepository(database.db),
    workerId: "test-worker",
    leaseMs: 30_000,
    secrets: createSecretRepository(database.db, key),
    fetchSource: async () => tarball,
    engines: {
      opentofu: createEngine("opentofu", STAND_IN_TOFU),
      terraform: createEngine("terraform", STAND_IN_TERRAFORM),
    },
    encryptionKey: key,
    workspaceRoot: `${scratch.dataDir}/workspaces`,
    timeoutMs: 30_000,
    hostEnv: {
      PATH: process.env.PATH,
      PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----",
      DATABASE_URL: "postgres://x",
    },
    stateBackend: undefined,
    log: pino({ level: "silent" }),
    ...overrides,
  });

  const component = async (runComponentId: string) =>
    (
      await database.db.select().from(runComponents).where(eq(runComponents.id, runComponentId))
    )[0]!;

  const logsOf = async (runComponentId: string) => {
    const rows = await database.db
      .select({
        phase: runPhases.phase,
        line: phaseLogLines.line,
        exitCode: runPhases.exitCode,
        error: runPhases.error,
      })
      .from(runPhases)
      .leftJoin(phaseLogLines, eq(phaseLogLines.phaseId, runPhases.id))
      .where(eq(runPhases.runComponentId, runComponentId));
    return rows;
  };

  it("plans with changes: phases, logs, a sealed workspace, an engine version and events", async () => {
    const { runId, runComponentId } = await seedRun(database.db, ownState());
    expect(await executeRunComponent(deps(), { runComponentId, action: "plan" })).toBe(
      "UNCONFIRMED",
    );

    const row = await component(runComponentId);
    expect(row.phase).toBe("UNCONFIRMED");
    expect(row.planDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(row.workspaceDigest).toMatch(/^sha256:/);
    const planned = row.planSummary as {
      summary: { counts: { add: number }; hasChanges: boolean };
      planText: string;
    };
    expect(planned.summary.counts.add).toBe(1);
    expect(planned.planText).toContain("null_resource.vpc will be created");
    // The sealed workspace is ciphertext, bound to this run component.
    expect(row.sealedWorkspace!.includes(Buffer.from("bosun.tfplan"))).toBe(false);
    expect(() => open(key, row.sealedWorkspace!, "another-component")).toThrow();

    const [run] = await database.db.select().from(runs).where(eq(runs.id, runId));
    expect(run?.engineVersion).toBe("OpenTofu 1.11.5");

    const events = await database.db
      .select()
      .from(runEvents)
      .where(eq(runEvents.runId, runId))
      .orderBy(runEvents.sequence);
    expect(events.map((event) => [event.fromState, event.toState])).toEqual([
      ["QUEUED", "PREPARING"],
      ["PREPARING", "INITIALIZING"],
      ["INITIALIZING", "PLANNING"],
      ["PLANNING", "UNCONFIRMED"],
    ]);
    const logs = await logsOf(runComponentId);
    expect(new Set(logs.map((entry) => entry.phase))).toEqual(
      new Set(["PREPARING", "INITIALIZING", "PLANNING"]),
    );
    expect(
      logs.some((entry) => entry.line?.includes("OpenTofu has been successfully initialized")),
    ).toBe(true);
    expect(
      logs.some(
        (entry) => entry.phase === "PREPARING" && entry.line?.includes("infra/modules/tags"),
      ),
    ).toBe(true);
  });

  it("applies the confirmed plan in a fresh workspace, capturing outputs into a revision", async () => {
    const { runComponentId, componentId } = await seedRun(database.db, ownState());
    await executeRunComponent(deps(), { runComponentId, action: "plan" });
    const runStore = createRunRepository(database.db);
    expect(
      await runStore.transition(runComponentId, ["UNCONFIRMED"], "CONFIRMED", "/apply", "octocat"),
    ).toBe(true);

    // Another worker: its own workspace directory; only the database is shared.
    const other = deps({ workspaceRoot: `${scratch.dataDir}/other-worker` });
    expect(await executeRunComponent(other, { runComponentId, action: "apply" })).toBe("FINISHED");

    const [revision] = await database.db
      .select()
      .from(revisions)
      .where(eq(revisions.componentId, componentId));
    expect(revision?.outputs).toEqual({ vpc_id: expect.stringMatching(/^\d+$/) });
    expect(revision?.sealedOutputs).toBeInstanceOf(Buffer);
    expect(JSON.parse(open(key, revision!.sealedOutputs!, componentId).toString())).toEqual({
      vpc_name: "dev-core",
    });
    expect(revision?.planDigest).toBe((await component(runComponentId)).planDigest);
    const [head] = await database.db
      .select()
      .from(components)
      .where(eq(components.id, componentId));
    expect(head?.deployedRevisionId).toBe(revision?.id);
    expect(
      (await logsOf(runComponentId)).some(
        (entry) => entry.phase === "APPLYING" && entry.line?.includes("Apply complete"),
      ),
    ).toBe(true);
  });

  it("finishes without a saved workspace when nothing changes", async () => {
    const noChange = await repoTarball({
      "infra/network/main.tf": 'output "x" {\n  value = "1"\n}\n',
    });
    const { runComponentId } = await seedRun(database.db, ownState({ varFiles: [] }));
    await executeRunComponent(deps({ fetchSource: async () => noChange }), {
      runComponentId,
      action: "plan",
    });
    // Local state is gone with the workspace, so a new output is a change: plan again against it.
    const row = await component(runComponentId);
    expect(["UNCONFIRMED", "FINISHED"]).toContain(row.phase);
    const empty = await repoTarball({ "infra/network/main.tf": "" });
    const second = await seedRun(database.db, ownState({ varFiles: [] }));
    expect(
      await executeRunComponent(deps({ fetchSource: async () => empty }), {
        runComponentId: second.runComponentId,
        action: "plan",
      }),
    ).toBe("FINISHED");
    expect((await component(second.runComponentId)).sealedWorkspace).toBeNull();
  });

  it("gives the engine a clean environment with the stack's variables and its phase's secrets", async () => {
    const logFile = `${scratch.dataDir}/engine-invocations.jsonl`;
    const engine = await standInWith({ STANDIN_LOG: logFile });
    await createSecretRepository(database.db, key).set({
      repositoryId: 1296269,
      stackName: "network",
      name: "TF_VAR_db_password",
      scope: "plan",
      value: "s3cr3t-plan",
    });
    await createSecretRepository(database.db, key).set({
      repositoryId: 1296269,
      stackName: "network",
      name: "AWS_SECRET_ACCESS_KEY",
      scope: "apply",
      value: "s3cr3t-apply",
    });
    const { runComponentId } = await seedRun(database.db, ownState());
    await executeRunComponent(
      deps({
        engines: {
          opentofu: createEngine("opentofu", engine),
          terraform: createEngine("terraform", engine),
        },
      }),
      { runComponentId, action: "plan" },
    );
    const invocations = await engineInvocations(logFile);
    const planCall = invocations.find((call) => call.argv.includes("plan"))!;
    expect(planCall.argv).toEqual(
      expect.arrayContaining([
        "-input=false",
        "-out=bosun.tfplan",
        "-json",
        "-detailed-exitcode",
        "-var-file=env/dev.tfvars",
      ]),
    );
    expect(planCall.env).toEqual(
      expect.arrayContaining([
        "TF_IN_AUTOMATION",
        "TF_INPUT",
        "TF_VAR_region",
        "TF_VAR_db_password",
      ]),
    );
    expect(planCall.env).not.toContain("PRIVATE_KEY");
    expect(planCall.env).not.toContain("DATABASE_URL");
    expect(planCall.env).not.toContain("AWS_SECRET_ACCESS_KEY");
  });

  it("gives a component its environment's secrets, and the stack-wide ones only when its spec says so", async () => {
    const logFile = `${scratch.dataDir}/engine-invocations-environments.jsonl`;
    const engine = await standInWith({ STANDIN_LOG: logFile });
    const secrets = createSecretRepository(database.db, key);
    const set = (name: string, environment: string | undefined) =>
      secrets.set({
        repositoryId: 1296269,
        stackName: "network",
        environment,
        name,
        scope: "plan",
        value: `${name}-value`,
      });
    await set("TF_VAR_shared_token", undefined);
    await set("TF_VAR_preview_token", "preview");
    await set("TF_VAR_prod_token", "prod");
    const engines = {
      opentofu: createEngine("opentofu", engine),
      terraform: createEngine("terraform", engine),
    };
    const planEnvOf = async (spec: ComponentSpec) => {
      const { runComponentId } = await seedRun(database.db, spec);
      await executeRunComponent(deps({ engines }), { runComponentId, action: "plan" });
      const invocations = await engineInvocations(logFile);
      return invocations.filter((call) => call.argv.includes("plan")).at(-1)!.env;
    };

    const tracked = await planEnvOf(
      ownState({ environment: "preview", varFiles: [], stackWideSecrets: true }),
    );
    expect(tracked).toEqual(
      expect.arrayContaining(["TF_VAR_shared_token", "TF_VAR_preview_token"]),
    );
    expect(tracked).not.toContain("TF_VAR_prod_token");

    const prOnly = await planEnvOf(
      ownState({ environment: "preview", varFiles: [], stackWideSecrets: false }),
    );
    expect(prOnly).toContain("TF_VAR_preview_token");
    expect(prOnly).not.toContain("TF_VAR_shared_token");
    expect(prOnly).not.toContain("TF_VAR_prod_token");
  });

  it("passes the operator's host variables through to the engine, masking the long values", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "bosun-passthrough-"));
    const bin = path.join(dir, "tofu");
    await writeFile(
      bin,
      [
        "#!/bin/sh",
        'if [ "$1" = plan ]; then',
        '  echo "profile [$AWS_PROFILE] sdk [$AWS_SDK_LOAD_CONFIG] key [$PRIVATE_KEY]" >&2',
        "fi",
        `exec '${STAND_IN_TOFU}' "$@"`,
        "",
      ].join("\n"),
    );
    await chmod(bin, 0o755);
    await chmod(dir, 0o755);
    const hostEnv = {
      PATH: process.env.PATH,
      AWS_PROFILE: "infra-admin-profile",
      AWS_SDK_LOAD_CONFIG: "1",
      PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----",
    };
    const engines = {
      opentofu: createEngine("opentofu", bin),
      terraform: createEngine("terraform", bin),
    };
    const printed = async (enginePassthrough: string[] | undefined) => {
      const { runComponentId } = await seedRun(database.db, ownState());
      await executeRunComponent(deps({ engines, hostEnv, enginePassthrough }), {
        runComponentId,
        action: "plan",
      });
      return (await logsOf(runComponentId))
        .map((entry) => entry.line ?? "")
        .filter((line) => line.startsWith("profile"));
    };

    expect(await printed(undefined)).toEqual(["profile [] sdk [] key []"]);
    // The profile name is long enough to be masked; a flag of one character is not.
    expect(await printed(["AWS_PROFILE", "AWS_SDK_LOAD_CONFIG"])).toEqual([
      "profile [***] sdk [1] key []",
    ]);
  });

  it("masks secret values and values the engine marks sensitive in every log line", async () => {
    const engine = await standInWith({ STANDIN_PRINT: "s3cr3t-plan and dev-core" });
    await createSecretRepository(database.db, key).set({
      repositoryId: 1296269,
      stackName: "network",
      name: "TF_VAR_db_password",
      scope: "plan",
      value: "s3cr3t-plan",
    });
    const { runComponentId } = await seedRun(database.db, ownState());
    await executeRunComponent(
      deps({
        engines: {
          opentofu: createEngine("opentofu", engine),
          terraform: createEngine("terraform", engine),
        },
      }),
      { runComponentId, action: "plan" },
    );
    const lines = (await logsOf(runComponentId)).map((entry) => entry.line ?? "").join("\n");
    expect(lines).toContain("***");
    expect(lines).not.toContain("s3cr3t-plan");
    const row = await component(runComponentId);
    expect(JSON.stringify(row.planSummary)).not.toContain("s3cr3t-plan");
  });

  it("masks a secret printed in pieces, Bosun's own credentials and credential formats in the log", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "bosun-pieces-"));
    const bin = path.join(dir, "tofu");
    const token = "ghp_" + "k".repeat(36);
    await writeFile(
      bin,
      [
        "#!/bin/sh",
        'if [ "$1" = plan ]; then',
        // One line in three writes a moment apart: the secret arrives split across chunks.
        "  printf 'db password hun' >&2; sleep 0.2; printf 'ter2' >&2; sleep 0.2; printf '2 end\\n' >&2",
        `  echo "own own-webhook-secret and ${token}" >&2`,
        "fi",
        `exec '${STAND_IN_TOFU}' "$@"`,
        "",
      ].join("\n"),
    );
    await chmod(bin, 0o755);
    await chmod(dir, 0o755);
    await createSecretRepository(database.db, key).set({
      repositoryId: 1296269,
      stackName: "network",
      name: "TF_VAR_db_password",
      scope: "plan",
      value: "hunter22",
    });
    const { runComponentId } = await seedRun(database.db, ownState());
    await executeRunComponent(
      deps({
        engines: {
          opentofu: createEngine("opentofu", bin),
          terraform: createEngine("terraform", bin),
        },
        ownCredentials: () => ["own-webhook-secret"],
      }),
      { runComponentId, action: "plan" },
    );
    const lines = (await logsOf(runComponentId)).map((entry) => entry.line ?? "");
    expect(lines).toContain("db password *** end");
    expect(lines).toContain("own *** and ***");
    const all = lines.join("\n");
    for (const secret of ["hunter22", "own-webhook-secret", token])
      expect(all).not.toContain(secret);
  });

  it.each([
    [
      "a missing engine binary",
      { bin: "/nonexistent/tofu" },
      /cannot start the engine \(\/nonexistent\/tofu: not found\)/,
      "INITIALIZING",
    ],
    [
      "an engine crash",
      { knobs: { STANDIN_CRASH: "plan" } },
      /plan crashed \(exit 11\)[\s\S]*panic/,
      "PLANNING",
    ],
    [
      "non-JSON where JSON was due",
      { knobs: { STANDIN_BAD_JSON: "show" } },
      /show -json printed no valid plan/,
      "PLANNING",
    ],
    [
      "a phase timeout",
      { knobs: { STANDIN_DELAY_MS: "5000" }, timeoutMs: 1500 },
      /timed out after 2 s; the process tree was killed/,
      "PLANNING",
    ],
  ] as const)(
    "fails the phase on %s, with a message a user can act on",
    async (_, setup, reason, phase) => {
      const bin = "bin" in setup ? setup.bin : await standInWith(setup.knobs);
      const { runComponentId } = await seedRun(database.db, ownState());
      const result = await executeRunComponent(
        deps({
          engines: {
            opentofu: createEngine("opentofu", bin),
            terraform: createEngine("terraform", bin),
          },
          ...("timeoutMs" in setup ? { timeoutMs: setup.timeoutMs } : {}),
        }),
        { runComponentId, action: "plan" },
      );
      expect(result).toBe("FAILED");
      const row = await component(runComponentId);
      expect(row.phase).toBe("FAILED");
      expect(row.failureReason).toMatch(reason);
      const failedPhase = (await logsOf(runComponentId)).find((entry) => entry.error);
      expect(failedPhase?.phase).toBe(phase);
    },
  );

  it("survives an engine printing a 1 GB line: the phase fails saying so, the line is cut in the log", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "bosun-huge-"));
    const bin = path.join(dir, "tofu");
    await writeFile(
      bin,
      `#!/bin/sh\nif [ "$1" = plan ]; then head -c 1073741824 /dev/zero | tr '\\0' 0; echo; fi\nexec '${STAND_IN_TOFU}' "$@"\n`,
    );
    await chmod(bin, 0o755);
    const engine = createEngine("opentofu", bin);
    // The production limit is 256 MiB; a smaller one keeps the test quick on the same path.
    const capped: Engine = {
      ...engine,
      plan: (at, options) => engine.plan({ ...at, maxOutputChars: 8 * 1024 * 1024 }, options),
    };
    const { runComponentId } = await seedRun(database.db, ownState());
    const result = await executeRunComponent(
      deps({ engines: { opentofu: capped, terraform: capped } }),
      { runComponentId, action: "plan" },
    );
    expect(result).toBe("FAILED");
    const row = await component(runComponentId);
    expect(row.failureReason).toMatch(
      /^tofu plan printed more than 8 MiB on one stream and was stopped: Bosun keeps at most that much/,
    );
    const planning = (await logsOf(runComponentId)).filter((entry) => entry.phase === "PLANNING");
    const cut = planning.find((entry) => entry.line?.startsWith("0000"));
    expect(cut?.line).toMatch(/… \[line cut: \d+ more characters not logged\]$/);
    expect(cut!.line!.length).toBeLessThan(70 * 1024);
    // Bosun is still up and plans the next component as usual.
    const next = await seedRun(database.db, ownState());
    expect(
      await executeRunComponent(deps(), { runComponentId: next.runComponentId, action: "plan" }),
    ).toBe("UNCONFIRMED");
  });

  it("fails PREPARING on a tarball that tries to escape, naming the entry", async () => {
    const hostile = await repoTarball({ "infra/network/main.tf": "" }, "../escape");
    const { runComponentId } = await seedRun(database.db, ownState());
    expect(
      await executeRunComponent(deps({ fetchSource: async () => hostile }), {
        runComponentId,
        action: "plan",
      }),
    ).toBe("FAILED");
    expect((await component(runComponentId)).failureReason).toMatch(/\.\./);
  });

  it("refuses to apply a workspace whose digest does not match", async () => {
    const first = await seedRun(database.db, ownState());
    await executeRunComponent(deps(), { runComponentId: first.runComponentId, action: "plan" });
    const runStore = createRunRepository(database.db);
    await runStore.transition(
      first.runComponentId,
      ["UNCONFIRMED"],
      "CONFIRMED",
      "/apply",
      "octocat",
    );
    await database.db
      .update(runComponents)
      .set({ workspaceDigest: "sha256:" + "0".repeat(64) })
      .where(eq(runComponents.id, first.runComponentId));
    expect(
      await executeRunComponent(deps(), { runComponentId: first.runComponentId, action: "apply" }),
    ).toBe("FAILED");
    expect((await component(first.runComponentId)).failureReason).toContain(
      "does not match the digest recorded at plan time",
    );
  });

  describe("leases", () => {
    const leases = () => createLeaseRepository(database.db);
    const lostWorker = { workerId: "lost-host:1:dead", jobId: "lost-job" };
    /** The queue as recovery sees it: what it cancels and what it queues again. */
    const recordingQueue = () => {
      const calls = { sent: [] as object[], cancelled: [] as string[] };
      const queue: JobQueue = {
        send: async (_name, data) => {
          calls.sent.push(data);
          return "next-job";
        },
        work: async () => undefined,
        cancel: async (_name, jobId) => {
          calls.cancelled.push(jobId);
        },
        stop: async () => undefined,
      };
      return { queue, calls };
    };
    const silence = async (runComponentId: string) => {
      await database.db
        .update(runComponents)
        .set({ heartbeatAt: new Date(Date.now() - 3_600_000), updatedAt: new Date(0) })
        .where(eq(runComponents.id, runComponentId));
    };
    const recover = async (queue: JobQueue) =>
      recoverLostComponents({
        leases: leases(),
        queue,
        leaseMs: 30_000,
        afterRecovery: async () => undefined,
        log: pino({ level: "silent" }),
      });

    it("queues a plan whose worker went silent again; the next worker plans it", async () => {
      const { runComponentId } = await seedRun(database.db, ownState());
      expect(
        await leases().claim(
          runComponentId,
          { from: "QUEUED", to: "PREPARING", cause: "plan started" },
          lostWorker,
        ),
      ).toBe(true);
      // While the lost worker's lease stands, nobody else plans the component.
      expect(await executeRunComponent(deps(), { runComponentId, action: "plan" })).toBeUndefined();
      await silence(runComponentId);
      const { queue, calls } = recordingQueue();
      const recovered = await recover(queue);
      expect(recovered.map((lost) => lost.runComponentId)).toEqual([runComponentId]);
      expect(calls.cancelled).toEqual(["lost-job"]);
      expect(calls.sent).toEqual([{ runComponentId, action: "plan" }]);
      const events = await database.db
        .select()
        .from(runEvents)
        .where(eq(runEvents.runComponentId, runComponentId));
      expect(events.at(-1)).toMatchObject({
        fromState: "PREPARING",
        toState: "QUEUED",
        cause: "plan interrupted: its worker was lost; planning again",
      });
      expect(await executeRunComponent(deps(), { runComponentId, action: "plan" })).toBe(
        "UNCONFIRMED",
      );
      expect((await component(runComponentId)).planAttempts).toBe(2);
    });

    it("fails an apply whose worker went silent, and never re-runs it", async () => {
      const { runComponentId } = await seedRun(database.db, ownState());
      await executeRunComponent(deps(), { runComponentId, action: "plan" });
      await createRunRepository(database.db).transition(
        runComponentId,
        ["UNCONFIRMED"],
        "CONFIRMED",
        "confirmed",
        "octocat",
      );
      await leases().claim(
        runComponentId,
        { from: "CONFIRMED", to: "APPLYING", cause: "apply started" },
        lostWorker,
      );
      await silence(runComponentId);
      const { queue, calls } = recordingQueue();
      await recover(queue);
      const row = await component(runComponentId);
      expect(row.phase).toBe("FAILED");
      expect(row.failureReason).toBe(APPLY_INTERRUPTED);
      expect(calls.sent).toEqual([]);
      expect(calls.cancelled).toEqual(["lost-job"]);
      expect(
        await executeRunComponent(deps(), { runComponentId, action: "apply" }),
      ).toBeUndefined();
      expect(
        await database.db.select().from(revisions).where(eq(revisions.runId, row.runId)),
      ).toEqual([]);
    });

    it("takes back a phase an older Bosun left without a lease, with no job to cancel", async () => {
      const { runComponentId } = await seedRun(database.db, ownState());
      await database.db
        .update(runComponents)
        .set({ phase: "PLANNING" })
        .where(eq(runComponents.id, runComponentId));
      await silence(runComponentId);
      const { queue, calls } = recordingQueue();
      expect((await recover(queue)).map((lost) => lost.runComponentId)).toContain(runComponentId);
      expect(calls.cancelled).toEqual([]);
      expect(calls.sent).toContainEqual({ runComponentId, action: "plan" });
      expect((await component(runComponentId)).phase).toBe("QUEUED");
    });

    it("leaves a component alone while its worker keeps the lease", async () => {
      const { runComponentId } = await seedRun(database.db, ownState());
      await leases().claim(
        runComponentId,
        { from: "QUEUED", to: "PREPARING", cause: "plan started" },
        lostWorker,
      );
      await silence(runComponentId);
      expect(await leases().heartbeat(runComponentId, "lost-job")).toBe(true);
      const { queue, calls } = recordingQueue();
      expect(await recover(queue)).toEqual([]);
      expect(calls.cancelled).toEqual([]);
      expect((await component(runComponentId)).phase).toBe("PREPARING");
    });

    it("fences a worker presumed lost: its heartbeats and transitions are refused", async () => {
      const { runComponentId } = await seedRun(database.db, ownState());
      await leases().claim(
        runComponentId,
        { from: "QUEUED", to: "PREPARING", cause: "plan started" },
        lostWorker,
      );
      await silence(runComponentId);
      await recover(recordingQueue().queue);
      expect(await leases().heartbeat(runComponentId, "lost-job")).toBe(false);
      const runsStore = createRunRepository(database.db);
      expect(
        await runsStore.transition(
          runComponentId,
          ["QUEUED"],
          "UNCONFIRMED",
          "planned with changes",
          "bosun",
          "lost-job",
        ),
      ).toBe(false);
      expect((await component(runComponentId)).phase).toBe("QUEUED");
    });

    it(`fails a plan whose worker was lost ${MAX_PLAN_ATTEMPTS} times`, async () => {
      const { runComponentId } = await seedRun(database.db, ownState());
      await database.db
        .update(runComponents)
        .set({ planAttempts: MAX_PLAN_ATTEMPTS - 1 })
        .where(eq(runComponents.id, runComponentId));
      await leases().claim(
        runComponentId,
        { from: "QUEUED", to: "PREPARING", cause: "plan started" },
        lostWorker,
      );
      await silence(runComponentId);
      const { queue, calls } = recordingQueue();
      await recover(queue);
      const row = await component(runComponentId);
      expect(row.phase).toBe("FAILED");
      expect(row.failureReason).toMatch(/worker was lost 3 times; run \/plan to try again/);
      expect(calls.sent).toEqual([]);
    });
  });

  it("runs Terraform stacks with the terraform executable", async () => {
    const { runId, runComponentId } = await seedRun(database.db, ownState({ engine: "terraform" }));
    expect(await executeRunComponent(deps(), { runComponentId, action: "plan" })).toBe(
      "UNCONFIRMED",
    );
    const [run] = await database.db.select().from(runs).where(eq(runs.id, runId));
    expect(run?.engineVersion).toBe("Terraform 1.14.6");
  });
});
