import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { deliver, eventually } from "../../helpers/deliver.js";
import type { FakeRepository, GithubFake } from "../../helpers/github-fake/index.js";
import {
  commentOnPullRequest,
  inRepository,
  openedExample,
  stagePullRequest,
  type ScenarioRepository,
  type StageOptions,
} from "../../helpers/pull-request-scenario.js";
import { engineInvocations, STAND_IN_TERRAFORM, STAND_IN_TOFU } from "../../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

/**
 * What every hostile-input case shares: the real server (HTTP intake, queue, workers, stand-in
 * engines) on one database per test file, a fresh fake repository per case, and the three checks
 * each case ends with — the process is still up, every accepted delivery reached a final status,
 * and nothing was applied.
 */

export interface HostileBosun {
  bosun: TestBosun;
  /** Sets the stand-in's test knobs (STANDIN_CRASH, …) for the engine runs that follow. */
  setEngineKnobs(knobs: Record<string, string>): Promise<void>;
  /** Every engine command line run so far (the stand-in's STANDIN_LOG). */
  engineCommands(): Promise<string[][]>;
  close(): Promise<void>;
}

/**
 * Bosun as the flows need it (startFlowBosun), with engine executables that log every
 * invocation and read their knobs from a file, so one server serves cases that need different
 * engine behaviour. Bosun starts them like any engine binary.
 */
export async function startHostileBosun(kind: "pglite" | "postgres"): Promise<HostileBosun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bosun-hostile-engine-"));
  const log = path.join(dir, "engine.log");
  const knobs = path.join(dir, "knobs.sh");
  await writeFile(knobs, "");
  const wrapper = async (name: string, target: string) => {
    const file = path.join(dir, name);
    await writeFile(
      file,
      `#!/bin/sh\nexport STANDIN_LOG='${log}'\n. '${knobs}'\nexec '${target}' "$@"\n`,
    );
    await chmod(file, 0o755);
    return file;
  };
  const port = await freePort();
  const bosun = await startTestBosun(kind, {
    port,
    env: {
      BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
      BOSUN_TOFU_BIN: await wrapper("tofu", STAND_IN_TOFU),
      BOSUN_TERRAFORM_BIN: await wrapper("terraform", STAND_IN_TERRAFORM),
      BOSUN_WORKERS: "2",
      // The wrappers read knobs and write the invocation log outside the workspace, which a
      // sandboxed engine cannot; the sandbox's own hostile tests are in test/integration/sandbox.
      BOSUN_SANDBOX: "off",
    },
  });
  return {
    bosun,
    async setEngineKnobs(values) {
      const lines = Object.entries(values).map(
        ([name, value]) => `export ${name}='${value.replaceAll("'", "'\\''")}'`,
      );
      await writeFile(knobs, lines.join("\n") + "\n");
    },
    async engineCommands() {
      return (await engineInvocations(log)).map((invocation) => invocation.argv);
    },
    async close() {
      await bosun.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Rows of a raw query, on either driver. */
export async function rows<T>(bosun: TestBosun, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = await bosun.database.db.execute(query);
  return (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows) as T[];
}

export interface DeliveryRecord {
  status: string;
  error: string | null;
}

export async function deliveryRecord(
  bosun: TestBosun,
  deliveryId: string,
): Promise<DeliveryRecord | undefined> {
  const [row] = await rows<DeliveryRecord>(
    bosun,
    sql`select status::text as status, error from webhook_deliveries where delivery_id = ${deliveryId}`,
  );
  return row;
}

/** The delivery's final status (and error), once its job is done. */
export async function finalDelivery(bosun: TestBosun, deliveryId: string): Promise<DeliveryRecord> {
  return eventually(
    async () => {
      const row = await deliveryRecord(bosun, deliveryId);
      return row && row.status !== "queued" ? row : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

/** The process answers, and nothing it accepted is left without a final status. */
export async function expectStillUp(bosun: TestBosun): Promise<void> {
  expect((await fetch(`${bosun.url}/healthz`)).status).toBe(200);
  await settled(bosun);
  const pending = await rows<{ delivery_id: string }>(
    bosun,
    sql`select delivery_id from webhook_deliveries where status = 'queued'`,
  );
  expect(pending).toEqual([]);
}

/** No component of the repository ever confirmed, applied or got a revision. */
export async function expectNothingApplied(bosun: TestBosun, repositoryId: number): Promise<void> {
  const applied = await rows<{ to_state: string }>(
    bosun,
    sql`select e.to_state from run_events e join runs r on r.id = e.run_id
        where r.repository_id = ${repositoryId} and e.to_state in ('CONFIRMED', 'APPLYING')`,
  );
  expect(applied).toEqual([]);
  const revisions = await rows<{ n: number | string }>(
    bosun,
    sql`select count(*)::int as n from revisions v join runs r on r.id = v.run_id
        where r.repository_id = ${repositoryId}`,
  );
  expect(Number(revisions[0]?.n)).toBe(0);
}

/** Every engine invocation is something other than `apply`. */
export function expectNoEngineApply(commands: readonly string[][]): void {
  expect(commands.filter((argv) => argv.includes("apply"))).toEqual([]);
}

let repositoryCounter = 0;

/**
 * One fake repository on a fake GitHub for one case: a pull request whose head holds a valid
 * bosun.yml and the network stack, unless the case says otherwise. The fake GitHub is the
 * caller's, to verify and close.
 */
export class HostileRepo implements ScenarioRepository {
  readonly id: number;
  readonly fullName: string;
  readonly repo: FakeRepository;

  private constructor(github: GithubFake, label: string) {
    repositoryCounter += 1;
    this.id = 880_000 + repositoryCounter;
    this.fullName = `Codertocat/${label}-${repositoryCounter}`;
    this.repo = github.repository(this.fullName);
  }

  /** Many repositories may share one fake GitHub; each fakes only its own paths. */
  static async create(
    github: GithubFake,
    label: string,
    options: StageOptions = {},
  ): Promise<HostileRepo> {
    const hostile = new HostileRepo(github, label);
    await stagePullRequest(hostile.repo, options);
    return hostile;
  }

  /** A payload of the examples, moved into this repository. */
  adapt<T extends Record<string, unknown>>(payload: T): T {
    return inRepository(payload, this);
  }

  commentPayload(body: string, user = "Codertocat") {
    const payload = commentOnPullRequest(this, body, user);
    return { payload, commentId: payload.comment.id };
  }

  async openPullRequest(bosun: TestBosun): Promise<string> {
    const { status, deliveryId } = await deliver(
      bosun.url,
      "pull_request",
      this.adapt(openedExample),
    );
    expect(status).toBe(200);
    return deliveryId;
  }

  check(name: string, conclusion: string) {
    return eventually(
      async () => {
        const run = this.repo.checkRun(name);
        return run?.conclusion === conclusion ? run : undefined;
      },
      { timeoutMs: 60_000 },
    );
  }
}
