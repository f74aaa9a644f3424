import { execFile } from "node:child_process";
import { access, constants, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManagedState } from "../../../src/services/state-port.js";
import { managedBackend } from "../../../src/state/backend-wiring.js";
import { createManagedState } from "../../../src/state/create-managed-state.js";
import { createStateCredentialRepository } from "../../../src/store/state-credential-repository.js";
import { createStateRepository } from "../../../src/store/state-repository.js";
import { stateLocks, stateVersions } from "../../../src/store/schema/index.js";
import { databaseKinds } from "../../helpers/databases.js";
import { networkSpec, seedRun } from "../../helpers/seed.js";
import { lockInfo, stateClient } from "../../helpers/state-client.js";
import { startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

const TOFU = path.resolve("test/stand-in/bin/tofu");
const standInReady = await access(TOFU, constants.X_OK).then(
  () => true,
  () => false,
);
const run = promisify(execFile);

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the stand-in engine with only the variables it is given (as the runner does). */
async function tofu(cwd: string, env: Record<string, string>, ...args: string[]): Promise<Exit> {
  try {
    const { stdout, stderr } = await run(TOFU, args, {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, TF_IN_AUTOMATION: "1", ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

const MAIN_TF = `
resource "random_pet" "name" {
  length = 2
}

output "name" {
  value = random_pet.name.id
}
`;

// The stand-in engine (test/stand-in, another engineer's work) may not be there yet; the rest of
// the protocol is covered by state-protocol.test.ts with a client that speaks it directly.
describe.skipIf(!standInReady).each(databaseKinds)(
  "the stand-in engine on Bosun's state backend on %s",
  (kind) => {
    let bosun: TestBosun;
    let managed: ManagedState;
    let work: string;

    beforeAll(async () => {
      bosun = await startTestBosun(kind);
      managed = createManagedState({
        store: createStateRepository(bosun.database.db),
        credentials: createStateCredentialRepository(bosun.database.db),
        key: bosun.config.encryptionKey,
        log: bosun.log,
      });
      work = await mkdtemp(path.join(os.tmpdir(), "bosun-stand-in-"));
    });
    afterAll(async () => {
      await bosun?.close();
      if (work) await rm(work, { recursive: true, force: true });
    });

    async function stack(name: string, access: "read" | "write") {
      const seeded = await seedRun(
        bosun.database.db,
        networkSpec({ stack: name, dir: `infra/${name}` }),
      );
      const credential = await managed.issueStateCredential({ ...seeded, access });
      const backend = managedBackend({
        stateUrl: bosun.url,
        componentId: seeded.componentId,
        credential,
      });
      const dir = path.join(work, name);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, "main.tf"), MAIN_TF);
      await writeFile(path.join(dir, backend.overrideFileName), backend.overrideContent);
      return { ...seeded, dir, env: backend.env, credential };
    }

    it("inits, plans and applies; the state lands, sealed, and a second plan has no changes", async () => {
      const { dir, env, componentId, credential } = await stack("engine-apply", "write");
      const init = await tofu(dir, env, "init", "-input=false", "-no-color");
      expect(init, init.stderr).toMatchObject({ code: 0 });

      const plan = await tofu(
        dir,
        env,
        "plan",
        "-input=false",
        "-out=plan.tfplan",
        "-json",
        "-detailed-exitcode",
      );
      expect(plan.code, plan.stderr + plan.stdout).toBe(2);
      expect(
        (await stateClient(`${bosun.url}/state/${componentId}`, credential).get()).status,
      ).toBe(204);

      const apply = await tofu(dir, env, "apply", "-input=false", "-json", "plan.tfplan");
      expect(apply.code, apply.stderr + apply.stdout).toBe(0);

      const stored = await stateClient(`${bosun.url}/state/${componentId}`, credential).get();
      expect(stored.status).toBe(200);
      const state = (await stored.json()) as {
        version: number;
        serial: number;
        resources: { type: string }[];
        outputs: Record<string, unknown>;
      };
      expect(state.version).toBe(4);
      expect(state.resources.map((resource) => resource.type)).toEqual(["random_pet"]);
      expect(Object.keys(state.outputs)).toEqual(["name"]);
      const versions = await createStateRepository(bosun.database.db).versions(componentId);
      expect(versions[0]).toMatchObject({ serial: state.serial });
      const name = (state.outputs.name as { value: string }).value;
      const rows = await bosun.database.db.select().from(stateVersions);
      const row = rows.find((candidate) => candidate.componentId === componentId);
      expect(row!.sealedBody.includes(Buffer.from(name))).toBe(false);
      // The engine released its lock when it finished.
      expect(await bosun.database.db.select().from(stateLocks)).toEqual([]);

      const again = await tofu(
        dir,
        env,
        "plan",
        "-input=false",
        "-out=again.tfplan",
        "-json",
        "-detailed-exitcode",
      );
      expect(again.code, again.stderr + again.stdout).toBe(0);
    });

    it("plans with a read credential, taking no lock", async () => {
      const { dir, env, componentId, runId } = await stack("engine-read", "read");
      // Someone else holds the lock: a read-only plan does not care.
      const writer = await managed.issueStateCredential({ componentId, runId });
      await stateClient(`${bosun.url}/state/${componentId}`, writer).lock(
        lockInfo("apply@elsewhere"),
      );
      expect((await tofu(dir, env, "init", "-input=false", "-no-color")).code).toBe(0);
      const plan = await tofu(
        dir,
        env,
        "plan",
        "-input=false",
        "-out=plan.tfplan",
        "-json",
        "-detailed-exitcode",
      );
      expect(plan.code, plan.stderr + plan.stdout).toBe(2);
    });

    it("fails to apply while another holder has the lock, naming the holder's lock ID", async () => {
      const { dir, env, componentId, runId } = await stack("engine-contended", "write");
      expect((await tofu(dir, env, "init", "-input=false", "-no-color")).code).toBe(0);
      expect(
        (
          await tofu(
            dir,
            env,
            "plan",
            "-input=false",
            "-out=plan.tfplan",
            "-json",
            "-detailed-exitcode",
          )
        ).code,
      ).toBe(2);
      const other = await managed.issueStateCredential({ componentId, runId });
      const holder = lockInfo("someone-else@worker-7");
      await stateClient(`${bosun.url}/state/${componentId}`, other).lock(holder);

      const apply = await tofu(
        dir,
        env,
        "apply",
        "-input=false",
        "-json",
        "-lock-timeout=0s",
        "plan.tfplan",
      );
      expect(apply.code).toBe(1);
      expect(apply.stdout + apply.stderr).toMatch(/Error acquiring the state lock/);
      // The engine names the holder by its lock ID only (as Terraform 1.11.4 does).
      expect(apply.stdout + apply.stderr).toContain(`already locked: ID=${holder.ID}`);
      expect((await stateClient(`${bosun.url}/state/${componentId}`, other).get()).status).toBe(
        204,
      );
    });
  },
);
