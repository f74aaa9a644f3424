import { sql } from "drizzle-orm";
import pino from "pino";
import { ProbotOctokit } from "probot";
import { type RunningBosun, startBosun, type Mode } from "../../src/main.js";
import { testApp } from "./app-credentials.js";
import { scratchDatabase, type ScratchDatabase } from "./databases.js";
import { STAND_IN_SANDBOX_PATHS, STAND_IN_TERRAFORM, STAND_IN_TOFU } from "./stand-in.js";

/**
 * Probot's own throttle settings replace a shallow `throttle: { enabled: false }`; only the
 * function form of defaults turns retries and throttling off (see docs/adr/0001).
 */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

export interface TestBosun extends RunningBosun {
  scratch: ScratchDatabase;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the real app (HTTP server, queue, workers) on a scratch database, already migrated unless
 * one is given, and a free port.
 */
export async function startTestBosun(
  kind: "pglite" | "postgres",
  options: {
    mode?: Mode;
    env?: Record<string, string>;
    scratch?: ScratchDatabase;
    port?: number;
    /** GitHub's client: by default without retries and throttling, to keep tests quick. */
    octokit?: typeof ProbotOctokit;
    /** Where Bosun logs: by default nowhere (TEST_LOG_LEVEL turns it on). */
    log?: pino.Logger;
    /** Where the App setup writes credentials in development (default: `.env` here). */
    envFile?: string;
  } = {},
): Promise<TestBosun> {
  const scratch = options.scratch ?? (await scratchDatabase(kind, { migrated: true }));
  const bosun = await startBosun({
    mode: options.mode ?? "all",
    env: {
      APP_ID: testApp.appId,
      PRIVATE_KEY: testApp.privateKey,
      WEBHOOK_SECRET: testApp.webhookSecret,
      LOG_LEVEL: "silent",
      BOSUN_WORKERS: "1",
      BOSUN_SANDBOX_PATHS: STAND_IN_SANDBOX_PATHS,
      ...scratch.env,
      ...options.env,
    },
    log: options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    port: options.port ?? 0,
    octokit: options.octokit ?? TestOctokit,
    ...(options.envFile === undefined ? {} : { envFile: options.envFile }),
  });
  return {
    ...bosun,
    scratch,
    url: `http://127.0.0.1:${bosun.port}`,
    async close() {
      await bosun.stop();
      if (!options.scratch) await scratch.drop();
    },
  };
}

/** A port nothing listens on now: the state backend URL must be known before the server starts. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once no job is queued or running (twice in a row, a poll apart): what a test waits for
 * before it asserts on everything a flow sent, and before its fake GitHub closes. A job queues
 * its successors before it completes, so a chain of jobs never reads as quiet in between.
 */
export async function settled(bosun: RunningBosun, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietPolls = 0;
  while (quietPolls < 2) {
    const result = await bosun.database.db.execute(
      sql`select count(*)::int as busy from pgboss.job where state in ('created', 'retry', 'active')`,
    );
    const rows = (
      Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows
    ) as {
      busy: number | string;
    }[];
    quietPolls = Number(rows[0]?.busy) === 0 ? quietPolls + 1 : 0;
    if (Date.now() > deadline) throw new Error(`jobs still busy after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Bosun as the GitHub flows need it: the stand-in engines, two workers, and a public URL that is
 * its own address, since the engine reaches the state backend there.
 */
export async function startFlowBosun(
  kind: "pglite" | "postgres",
  options: { log?: pino.Logger; env?: Record<string, string> } = {},
): Promise<TestBosun> {
  const port = await freePort();
  return startTestBosun(kind, {
    ...options,
    port,
    env: {
      BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
      BOSUN_TOFU_BIN: STAND_IN_TOFU,
      BOSUN_TERRAFORM_BIN: STAND_IN_TERRAFORM,
      BOSUN_WORKERS: "2",
      ...options.env,
    },
  });
}
