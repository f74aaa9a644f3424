import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEncryptionKey } from "../../../src/lib/seal.js";
import { APPLY_INTERRUPTED } from "../../../src/services/execute-run-component.js";
import { revisions, runComponents, runEvents } from "../../../src/store/schema/index.js";
import { databaseKinds, scratchDatabase, type ScratchDatabase } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  startGithubFake,
  type GithubFake,
  type FakeRepository,
} from "../../helpers/github-fake/index.js";
import {
  commentOnPullRequest,
  inRepository,
  openedExample,
  stagePullRequest,
} from "../../helpers/pull-request-scenario.js";
import { engineInvocations, standInWith } from "../../helpers/stand-in.js";
import { freePort, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";
import { startWorkerProcess, type WorkerProcess } from "../../helpers/worker-process.js";

const repository = { id: 990_001, fullName: "Codertocat/crash-test" };
const LEASE = "2s";
// A report the killed worker held is taken back after this long; production waits a minute.
const REPORT_EXPIRY = "10s";

// Worker processes share a database server, not an embedded one.
describe.runIf(databaseKinds.includes("postgres"))("workers that die or stop mid-phase", () => {
  const { text: encryptionKey } = generateEncryptionKey();
  let scratch: ScratchDatabase;
  let web: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;
  let engineLog: string;
  let slowEngine: string;
  let quickEngine: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    scratch = await scratchDatabase("postgres", { migrated: true });
    const port = await freePort();
    // Web only: every job runs in the worker processes below.
    web = await startTestBosun("postgres", {
      scratch,
      port,
      env: {
        BOSUN_WORKERS: "0",
        // The queues are created by this process first, with the expiry set here.
        BOSUN_REPORT_EXPIRY: REPORT_EXPIRY,
        BOSUN_ENCRYPTION_KEY: encryptionKey,
        BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
      },
    });
    github = await startGithubFake();
    repo = github.repository(repository.fullName);
    await stagePullRequest(repo);
    engineLog = path.join(await mkdtemp(path.join(os.tmpdir(), "bosun-crash-")), "engine.log");
    slowEngine = await standInWith({ STANDIN_DELAY_MS: "120000", STANDIN_LOG: engineLog });
    quickEngine = await standInWith({ STANDIN_LOG: engineLog });
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.cleanup()));
    await github?.close();
    await web?.close();
    await scratch?.drop();
    github?.verify();
  });

  const startWorker = async (engine: string) => {
    const worker = await startWorkerProcess({
      databaseUrl: scratch.url!,
      encryptionKey,
      publicUrl: web.url,
      githubHost: github.host,
      engine,
      // The stand-in's invocation log is outside the workspace: a sandboxed engine cannot write it.
      env: { BOSUN_WORKER_LEASE: LEASE, BOSUN_REPORT_EXPIRY: REPORT_EXPIRY, BOSUN_SANDBOX: "off" },
    });
    workers.push(worker);
    return worker;
  };
  const network = async () => {
    const [row] = await web.database.db.select().from(runComponents);
    return row;
  };
  /** Waits until `worker` holds the component in `phase` (its pid is in the lease's worker id). */
  const heldBy = (worker: WorkerProcess, phase: "PLANNING" | "APPLYING") =>
    eventually(
      async () => {
        const [row] = await web.database.db
          .select()
          .from(runComponents)
          .where(
            and(eq(runComponents.phase, phase), like(runComponents.workerId, `%:${worker.pid}:%`)),
          );
        return row;
      },
      { timeoutMs: 60_000 },
    );
  const engineCalls = async (command: string) =>
    (await engineInvocations(engineLog)).filter((call) => call.argv.includes(command)).length;

  it("a worker SIGKILLed while planning: the plan is taken back and planned again by another", async () => {
    const doomed = await startWorker(slowEngine);
    const opened = await deliver(web.url, "pull_request", inRepository(openedExample, repository));
    expect(opened.status).toBe(200);
    await heldBy(doomed, "PLANNING");
    doomed.kill("SIGKILL");
    expect(await doomed.exited).toBeNull();

    await startWorker(quickEngine);
    const check = await eventually(
      async () =>
        repo.checkRun("bosun/dev")?.conclusion === "action_required"
          ? repo.checkRun("bosun/dev")
          : undefined,
      // A report the killed worker was sending is taken back when its job expires (REPORT_EXPIRY).
      { timeoutMs: 120_000 },
    );
    expect(check.output?.title).toMatch(/1 to add/);
    const row = await network();
    expect(row?.phase).toBe("UNCONFIRMED");
    expect(row?.planAttempts).toBe(2);
    const causes = (
      await web.database.db.select().from(runEvents).where(eq(runEvents.runComponentId, row!.id))
    ).map((event) => event.cause);
    expect(causes).toContain("plan interrupted: its worker was lost; planning again");
  });

  it("a worker SIGKILLed while applying: FAILED as interrupted, never applied again, and GitHub says so", async () => {
    // The quick worker from the last test stops gracefully; the apply lands on a slow one.
    const quick = workers.at(-1)!;
    quick.kill("SIGTERM");
    expect(await quick.exited).toBe(0);
    const doomed = await startWorker(slowEngine);
    const applied = await deliver(
      web.url,
      "issue_comment",
      commentOnPullRequest(repository, "/apply"),
    );
    expect(applied.status).toBe(200);
    await heldBy(doomed, "APPLYING");
    // Killed once the engine's apply is under way: the state may really be half changed.
    await eventually(async () => ((await engineCalls("apply")) === 1 ? true : undefined), {
      timeoutMs: 30_000,
    });
    doomed.kill("SIGKILL");
    await doomed.exited;

    await startWorker(quickEngine);
    const check = await eventually(
      async () =>
        repo.checkRun("bosun/dev")?.conclusion === "failure"
          ? repo.checkRun("bosun/dev")
          : undefined,
      { timeoutMs: 120_000 },
    );
    expect(JSON.stringify(check.output)).toContain("apply interrupted");
    const row = await network();
    expect(row?.phase).toBe("FAILED");
    expect(row?.failureReason).toBe(APPLY_INTERRUPTED);
    const deployment = await eventually(async () =>
      repo.deployments[0]?.statuses.at(-1)?.state === "failure" ? repo.deployments[0] : undefined,
    );
    expect(deployment.statuses.map((status) => status.state)).toEqual(["in_progress", "failure"]);
    expect(await web.database.db.select().from(revisions)).toEqual([]);
    // The killed apply was the only one: the interrupted apply is never run again by itself.
    expect(await engineCalls("apply")).toBe(1);
    expect(github.unexpected).toEqual([]);
  });

  it("SIGTERM under load: the worker finishes the phase in hand, exits 0, and loses no job", async () => {
    const current = workers.at(-1)!;
    current.kill("SIGTERM");
    expect(await current.exited).toBe(0);
    const steady = await startWorker(await standInWith({ STANDIN_DELAY_MS: "1500" }));
    const checksBefore = repo.checkRuns.length;
    const replanned = await deliver(
      web.url,
      "issue_comment",
      commentOnPullRequest(repository, "/plan"),
    );
    expect(replanned.status).toBe(200);
    await heldBy(steady, "PLANNING");
    steady.kill("SIGTERM");
    expect(await steady.exited).toBe(0);
    // The plan in hand was finished before the exit, not interrupted.
    const rows = await web.database.db.select().from(runComponents);
    const latest = rows.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
    expect(latest?.phase).toBe("UNCONFIRMED");
    expect(latest?.planAttempts).toBe(1);
    // What it left queued (the report of that plan) is done by the next worker.
    await startWorker(quickEngine);
    const check = await eventually(
      async () => {
        const latestCheck = repo.checkRun("bosun/dev");
        return repo.checkRuns.length > checksBefore && latestCheck?.conclusion === "action_required"
          ? latestCheck
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(check.output?.title).toMatch(/1 to add/);
  });
});
