import { type ChildProcess, spawn } from "node:child_process";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEncryptionKey } from "../../src/lib/seal.js";
import { createEngine } from "../../src/runner/engine.js";
import {
  enqueueRunComponent,
  executeRunComponent,
} from "../../src/services/execute-run-component.js";
import { createManagedState } from "../../src/state/create-managed-state.js";
import { createStateBackendLender } from "../../src/state/lend-state-backend.js";
import { createRunRepository } from "../../src/store/run-repository.js";
import { createLeaseRepository } from "../../src/store/lease-repository.js";
import { revisions, runComponents } from "../../src/store/schema/index.js";
import { createSecretRepository } from "../../src/store/secret-repository.js";
import { createStateCredentialRepository } from "../../src/store/state-credential-repository.js";
import { createStateRepository } from "../../src/store/state-repository.js";
import { testApp } from "../helpers/app-credentials.js";
import { bosunArguments } from "../helpers/bosun-cli.js";
import { databaseKinds, scratchDatabase, type ScratchDatabase } from "../helpers/databases.js";
import { eventually } from "../helpers/deliver.js";
import { type GithubFake, startGithubFake } from "../helpers/github-fake/index.js";
import { networkStackFiles } from "../helpers/network-stack.js";
import { repoTarball } from "../helpers/repo-tarball.js";
import { networkSpec, SHA, seedRepository, seedRun } from "../helpers/seed.js";
import { STAND_IN_SANDBOX_PATHS, STAND_IN_TERRAFORM, STAND_IN_TOFU } from "../helpers/stand-in.js";
import { startTestBosun, type TestBosun } from "../helpers/test-bosun.js";
import { componentRunner } from "../../src/runner/component-runner.js";

// Separate processes share a database server, not an embedded one.
describe.runIf(databaseKinds.includes("postgres"))(
  "a plan applied by another worker process",
  () => {
    const { text: keyText } = generateEncryptionKey();
    let scratch: ScratchDatabase;
    let web: TestBosun;
    let github: GithubFake;
    let worker: ChildProcess | undefined;

    beforeAll(async () => {
      scratch = await scratchDatabase("postgres", { migrated: true });
      github = await startGithubFake();
      web = await startTestBosun("postgres", {
        scratch,
        env: { BOSUN_WORKERS: "0", BOSUN_ENCRYPTION_KEY: keyText },
      });
    });
    afterAll(async () => {
      worker?.kill("SIGKILL");
      await web?.close();
      await github?.close();
      await scratch?.drop();
      github?.verify();
    });

    it("plans here, applies in a `bosun worker` process from the sealed workspace in the database", async () => {
      const db = web.database.db;
      await seedRepository(db);
      const tarball = await repoTarball(networkStackFiles);
      const repo = github.repository("acme/infra");
      repo.tarballs.set(SHA, tarball);
      const managedState = createManagedState({
        store: createStateRepository(db),
        credentials: createStateCredentialRepository(db),
        key: web.config.encryptionKey,
        log: pino({ level: "silent" }),
      });
      const { runComponentId, componentId } = await seedRun(db, networkSpec());
      const planned = await executeRunComponent(
        {
          runner: componentRunner,
          runs: createRunRepository(db),
          leases: createLeaseRepository(db),
          workerId: "test-worker",
          leaseMs: 30_000,
          secrets: createSecretRepository(db, web.config.encryptionKey),
          fetchSource: async () => tarball,
          engines: {
            opentofu: createEngine("opentofu", STAND_IN_TOFU),
            terraform: createEngine("terraform", STAND_IN_TERRAFORM),
          },
          encryptionKey: web.config.encryptionKey,
          workspaceRoot: `${scratch.dataDir}/workspaces`,
          timeoutMs: 30_000,
          hostEnv: { PATH: process.env.PATH },
          stateBackend: createStateBackendLender({ managedState, stateUrl: web.url }),
          log: pino({ level: "silent" }),
        },
        { runComponentId, action: "plan" },
      );
      expect(planned).toBe("UNCONFIRMED");
      await createRunRepository(db).transition(
        runComponentId,
        ["UNCONFIRMED"],
        "CONFIRMED",
        "/apply",
        "octocat",
      );
      await enqueueRunComponent(web.queue, { runComponentId, action: "apply" }, componentId);

      const workerScratch = await scratchDatabase("pglite");
      worker = spawn(process.execPath, bosunArguments(["worker"]), {
        env: {
          PATH: process.env.PATH ?? "",
          DATABASE_URL: scratch.url!,
          BOSUN_DATA_DIR: workerScratch.dataDir,
          BOSUN_ENCRYPTION_KEY: keyText,
          BOSUN_PUBLIC_URL: web.url,
          BOSUN_TOFU_BIN: STAND_IN_TOFU,
          BOSUN_SANDBOX_PATHS: STAND_IN_SANDBOX_PATHS,
          BOSUN_WORKERS: "1",
          APP_ID: testApp.appId,
          PRIVATE_KEY: testApp.privateKey,
          WEBHOOK_SECRET: testApp.webhookSecret,
          GHE_HOST: github.host,
          GHE_PROTOCOL: "http",
          LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "ignore", "inherit"],
      });
      const row = await eventually(
        async () => {
          const [current] = await db
            .select()
            .from(runComponents)
            .where(eq(runComponents.id, runComponentId));
          return current && ["FINISHED", "FAILED"].includes(current.phase) ? current : undefined;
        },
        { timeoutMs: 90_000 },
      );
      expect(row.failureReason).toBeNull();
      expect(row.phase).toBe("FINISHED");
      const [revision] = await db
        .select()
        .from(revisions)
        .where(eq(revisions.componentId, componentId));
      expect(revision?.outputs).toEqual({ vpc_id: expect.stringMatching(/^\d+$/) });
      // Downloaded by the worker process, through the fake's loopback front.
      expect(repo.requests).toContainEqual(
        expect.objectContaining({
          front: "loopback",
          method: "GET",
          path: `/repos/acme/infra/tarball/${SHA}`,
        }),
      );
      expect(github.unexpected).toEqual([]);
      const exited = new Promise<number | null>((resolve) => worker!.once("exit", resolve));
      worker.kill("SIGTERM");
      expect(await exited).toBe(0);
      worker = undefined;
      await workerScratch.drop();
    });
  },
);
