import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEncryptionKey } from "../../../src/lib/seal.js";
import { componentRunner } from "../../../src/runner/component-runner.js";
import { createEngine } from "../../../src/runner/engine.js";
import { createEngineDownloader } from "../../../src/runner/download-engine.js";
import { createEngineVersions } from "../../../src/runner/engine-versions.js";
import {
  executeRunComponent,
  type ExecutorDeps,
} from "../../../src/services/execute-run-component.js";
import type { Database } from "../../../src/store/database.js";
import { createLeaseRepository } from "../../../src/store/lease-repository.js";
import { createRunRepository } from "../../../src/store/run-repository.js";
import { runComponents, runs } from "../../../src/store/schema/index.js";
import { createSecretRepository } from "../../../src/store/secret-repository.js";
import { openScratchDatabase, type OpenScratchDatabase } from "../../helpers/databases.js";
import {
  MIRROR_PLATFORM,
  publishIndex,
  publishRelease,
  startEngineMirror,
  testSigningKey,
} from "../../helpers/engine-mirror.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { networkSpec, seedRepository, seedRun } from "../../helpers/seed.js";
import { STAND_IN_TERRAFORM, STAND_IN_TOFU } from "../../helpers/stand-in.js";

const ENGINE_SCRIPT = path.resolve("test/stand-in/engine.mjs");

/** A stand-in installed under BOSUN_ENGINE_DIR's layout, reporting `version`. */
async function install(dir: string, version: string): Promise<void> {
  const bin = path.join(dir, "opentofu", version);
  await mkdir(bin, { recursive: true });
  await writeFile(
    path.join(bin, "tofu"),
    `#!/bin/sh\nSTANDIN_VERSION=${version} STANDIN_FLAVOUR=opentofu exec node "${ENGINE_SCRIPT}" "$@"\n`,
  );
  await chmod(path.join(bin, "tofu"), 0o755);
}

describe("a stack's engine version, resolved against BOSUN_ENGINE_DIR", () => {
  let opened: OpenScratchDatabase;
  let database: Database;
  let engineDir: string;
  let tarball: Buffer;
  const { key } = generateEncryptionKey();

  beforeAll(async () => {
    opened = await openScratchDatabase("pglite");
    database = opened.database;
    await seedRepository(database.db);
    tarball = await repoTarball(networkStackFiles);
    engineDir = await mkdtemp(path.join(os.tmpdir(), "bosun-engines-"));
    for (const version of ["1.10.2", "1.11.0", "1.11.3", "1.12.0"])
      await install(engineDir, version);
  });
  afterAll(async () => {
    await opened.close();
  });

  const deps = (dir = engineDir): ExecutorDeps => {
    const engines = {
      opentofu: createEngine("opentofu", STAND_IN_TOFU),
      terraform: createEngine("terraform", STAND_IN_TERRAFORM),
    };
    return {
      runner: componentRunner,
      runs: createRunRepository(database.db),
      leases: createLeaseRepository(database.db),
      workerId: "test-worker",
      leaseMs: 30_000,
      secrets: createSecretRepository(database.db, key),
      fetchSource: async () => tarball,
      engines,
      engineVersions: createEngineVersions({
        dir,
        defaults: engines,
        make: (kind, bin) => createEngine(kind, bin),
      }),
      encryptionKey: key,
      workspaceRoot: `${opened.scratch.dataDir}/workspaces`,
      timeoutMs: 30_000,
      hostEnv: { PATH: process.env.PATH },
      stateBackend: undefined,
      log: pino({ level: "silent" }),
    };
  };

  const engineVersionOf = async (runId: string) =>
    (await database.db.select().from(runs).where(eq(runs.id, runId)))[0]?.engineVersion;

  it("plans on the newest installed version the stack's engine_version allows", async () => {
    const { runId, runComponentId } = await seedRun(
      database.db,
      networkSpec({ state: "own", engineVersion: "~> 1.11.0" }),
    );
    expect(await executeRunComponent(deps(), { runComponentId, action: "plan" })).toBe(
      "UNCONFIRMED",
    );
    expect(await engineVersionOf(runId)).toBe("OpenTofu 1.11.3");
  });

  it("runs the operator's default engine when the stack asks for no version", async () => {
    const { runId, runComponentId } = await seedRun(database.db, networkSpec({ state: "own" }));
    await executeRunComponent(deps(), { runComponentId, action: "plan" });
    expect(await engineVersionOf(runId)).toBe("OpenTofu 1.11.5");
  });

  it("fails the phase naming the constraint and what is installed when nothing satisfies it", async () => {
    const { runComponentId } = await seedRun(
      database.db,
      networkSpec({ state: "own", engineVersion: ">= 1.13" }),
    );
    expect(await executeRunComponent(deps(), { runComponentId, action: "plan" })).toBe("FAILED");
    const [row] = await database.db
      .select()
      .from(runComponents)
      .where(eq(runComponents.id, runComponentId));
    expect(row?.failureReason).toBe(
      'engine_version ">= 1.13": no installed OpenTofu version satisfies it (installed under BOSUN_ENGINE_DIR: 1.10.2, 1.11.0, 1.11.3, 1.12.0)',
    );
  });

  it("plans on a version downloaded from the mirror when nothing installed satisfies the stack's engine_version", async () => {
    const mirror = await startEngineMirror();
    const key = await testSigningKey("Test mirror");
    publishIndex(mirror, "opentofu", ["1.12.0", "1.13.1"]);
    await publishRelease(mirror, { kind: "opentofu", version: "1.13.1", key: key.privateKey });
    const dir = await mkdtemp(path.join(os.tmpdir(), "bosun-engines-"));
    const base = deps(dir);
    const downloading: ExecutorDeps = {
      ...base,
      engineVersions: createEngineVersions({
        dir,
        defaults: base.engines,
        make: (kind, bin) => createEngine(kind, bin),
        download: await createEngineDownloader({
          dir,
          mirror: { kind: "mirror", url: mirror.url },
          signingKeys: key.armoredPublicKey,
          log: pino({ level: "silent" }),
          platform: MIRROR_PLATFORM,
        }),
      }),
    };
    const { runId, runComponentId } = await seedRun(
      database.db,
      networkSpec({ state: "own", engineVersion: ">= 1.13" }),
    );
    try {
      expect(await executeRunComponent(downloading, { runComponentId, action: "plan" })).toBe(
        "UNCONFIRMED",
      );
      expect(await engineVersionOf(runId)).toBe("OpenTofu 1.13.1");
      expect(mirror.requests.filter((file) => file.endsWith(".zip"))).toEqual([
        "opentofu/1.13.1/tofu_1.13.1_linux_amd64.zip",
      ]);
    } finally {
      await mirror.close();
    }
  });
});
