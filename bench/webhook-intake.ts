/*
 * Webhook intake: a `bosun web` process on a scratch PostgreSQL database on loopback, fed signed
 * deliveries (real @octokit/webhooks-examples payloads) over keep-alive HTTP.
 *   open loop:   a fixed 200 deliveries/s for 10 s; each acknowledgement's latency is measured from
 *                when the delivery was due, so a stalled server cannot hide its queue (p50, p99).
 *   closed loop: 32 connections, each sending the next delivery once the last was acknowledged,
 *                for 10 s: sustained deliveries/s.
 * Every acknowledged delivery must then be found durably recorded: a row in webhook_deliveries
 * carrying its job id, and the job in pg-boss. No workers run, so only intake is measured.
 * Run: npx tsx bench/webhook-intake.ts   Targets: p99 < 25 ms at 200/s, > 1,000 deliveries/s.
 */
import { createHmac, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import postgres from "postgres";
import { testApp } from "../test/helpers/app-credentials.js";
import { scratchDatabase } from "../test/helpers/databases.js";
import { freePort } from "../test/helpers/test-bosun.js";
import { example } from "../test/helpers/webhook-examples.js";
import { percentile, spawnBosun, waitUntilReady } from "./bosun-process.js";

const WEBHOOK_PATH = "/api/github/webhooks";
/** USER_HZ, 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

interface SignedDelivery {
  event: string;
  body: Buffer;
  signature: string;
}

/** The deliveries GitHub sends Bosun most: comments, pull-request changes and pushes. */
function signedDeliveries(): SignedDelivery[] {
  const payloads: [string, unknown][] = [
    ["issue_comment", example("issue_comment", (p) => p.action === "created" && !!p.installation)],
    ["pull_request", example("pull_request", (p) => p.action === "opened" && !!p.installation)],
    ["push", example("push")],
  ];
  return payloads.map(([event, payload]) => {
    const body = Buffer.from(JSON.stringify(payload));
    const digest = createHmac("sha256", testApp.webhookSecret).update(body).digest("hex");
    return { event, body, signature: `sha256=${digest}` };
  });
}

interface Outcome {
  status: number;
  latencyMs: number;
}

/** Sends one delivery; latency runs from `dueAt` (performance.now()) to the end of the answer. */
function send(
  agent: http.Agent,
  port: number,
  delivery: SignedDelivery,
  dueAt: number,
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: "127.0.0.1",
        port,
        path: WEBHOOK_PATH,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": delivery.body.length,
          "x-github-event": delivery.event,
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": delivery.signature,
          "user-agent": "GitHub-Hookshot/bench",
        },
      },
      (response) => {
        response.resume();
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, latencyMs: performance.now() - dueAt }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(delivery.body);
  });
}

async function openLoop(
  port: number,
  deliveries: SignedDelivery[],
  perSecond: number,
  seconds: number,
): Promise<Outcome[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const total = perSecond * seconds;
  const intervalMs = 1000 / perSecond;
  const pending: Promise<Outcome>[] = [];
  const started = performance.now();
  while (pending.length < total) {
    const dueAt = started + pending.length * intervalMs;
    const wait = dueAt - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(send(agent, port, deliveries[pending.length % deliveries.length]!, dueAt));
  }
  const outcomes = await Promise.all(pending);
  agent.destroy();
  return outcomes;
}

async function closedLoop(
  port: number,
  deliveries: SignedDelivery[],
  connections: number,
  seconds: number,
): Promise<{ outcomes: Outcome[]; elapsedMs: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const outcomes: Outcome[] = [];
  const started = performance.now();
  const endsAt = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, connection) => {
      for (let i = connection; performance.now() < endsAt; i += connections) {
        outcomes.push(
          await send(agent, port, deliveries[i % deliveries.length]!, performance.now()),
        );
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { outcomes, elapsedMs };
}

/** CPU time (user + system) the processes have used so far, from /proc (Linux). */
async function cpuMs(pids: readonly number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** The server processes of the bench database's connections. */
async function backendPids(databaseUrl: string): Promise<number[]> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ pid: number }[]>`
      select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
    return rows.map((row) => row.pid);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** What the database holds for the deliveries sent so far. */
async function recorded(databaseUrl: string): Promise<{ deliveries: number; jobs: number }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ deliveries: number; jobs: number }[]>`
      select
        (select count(*)::int from webhook_deliveries d
          where exists (select 1 from pgboss.job j where j.id = d.job_id::uuid)) as deliveries,
        (select count(*)::int from pgboss.job where name in ('github-event', 'github-push')) as jobs`;
    return row ?? { deliveries: 0, jobs: 0 };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export interface IntakeFigures {
  openLoopRate: number;
  openLoopP50Ms: number;
  openLoopP99Ms: number;
  openLoopMaxMs: number;
  closedLoopConnections: number;
  sustainedPerSecond: number;
  closedLoopP50Ms: number;
  closedLoopP99Ms: number;
  /** CPU time of the `bosun web` process per delivery in the closed loop. */
  bosunCpuMsPerDelivery: number;
  /** CPU time of the PostgreSQL backends serving it per delivery in the closed loop. */
  postgresCpuMsPerDelivery: number;
  /** CPU time of this process, the load generator, per delivery in the closed loop. */
  generatorCpuMsPerDelivery: number;
  acknowledged: number;
  durablyRecorded: number;
}

export async function benchWebhookIntake(
  options: { rate?: number; seconds?: number; connections?: number } = {},
): Promise<IntakeFigures> {
  const rate = options.rate ?? 200;
  const seconds = options.seconds ?? 10;
  const connections = options.connections ?? 32;
  const scratch = await scratchDatabase("postgres");
  const port = await freePort();
  const web = spawnBosun("web", {
    ...scratch.env,
    PORT: String(port),
    APP_ID: testApp.appId,
    PRIVATE_KEY: testApp.privateKey,
    WEBHOOK_SECRET: testApp.webhookSecret,
    BOSUN_WORKERS: "0",
    LOG_LEVEL: "info",
  });
  try {
    await waitUntilReady(web, `http://127.0.0.1:${port}/readyz`);
    const deliveries = signedDeliveries();
    // Warm-up: JIT, connection pools, prepared statements.
    const warmUp = await closedLoop(port, deliveries, 8, 2);
    const open = await openLoop(port, deliveries, rate, seconds);
    // CPU per delivery tells this machine's noise apart from the cost of intake itself.
    const pids = [web.child.pid ?? 0, ...(await backendPids(scratch.url!))];
    const cpuBefore = {
      bosun: await cpuMs(pids.slice(0, 1)),
      postgres: await cpuMs(pids.slice(1)),
    };
    const generatorBefore = process.cpuUsage();
    const closed = await closedLoop(port, deliveries, connections, seconds);
    const generator = process.cpuUsage(generatorBefore);
    const cpuAfter = { bosun: await cpuMs(pids.slice(0, 1)), postgres: await cpuMs(pids.slice(1)) };
    const all = [...warmUp.outcomes, ...open, ...closed.outcomes];
    const refused = all.filter((outcome) => outcome.status < 200 || outcome.status >= 300);
    if (refused.length > 0) {
      throw new Error(`${refused.length} deliveries refused (status ${refused[0]!.status})`);
    }
    const stored = await recorded(scratch.url!);
    const openLatencies = open.map((outcome) => outcome.latencyMs);
    const closedLatencies = closed.outcomes.map((outcome) => outcome.latencyMs);
    const figures: IntakeFigures = {
      openLoopRate: rate,
      openLoopP50Ms: round1(percentile(openLatencies, 50)),
      openLoopP99Ms: round1(percentile(openLatencies, 99)),
      openLoopMaxMs: round1(Math.max(...openLatencies)),
      closedLoopConnections: connections,
      sustainedPerSecond: Math.round((closed.outcomes.length / closed.elapsedMs) * 1000),
      closedLoopP50Ms: round1(percentile(closedLatencies, 50)),
      closedLoopP99Ms: round1(percentile(closedLatencies, 99)),
      bosunCpuMsPerDelivery: round2((cpuAfter.bosun - cpuBefore.bosun) / closed.outcomes.length),
      postgresCpuMsPerDelivery: round2(
        (cpuAfter.postgres - cpuBefore.postgres) / closed.outcomes.length,
      ),
      generatorCpuMsPerDelivery: round2(
        (generator.user + generator.system) / 1000 / closed.outcomes.length,
      ),
      acknowledged: all.length,
      durablyRecorded: Math.min(stored.deliveries, stored.jobs),
    };
    for (const [name, value] of Object.entries(figures)) {
      console.log(`${name.padEnd(28)} ${value}`);
    }
    if (stored.deliveries !== all.length || stored.jobs !== all.length) {
      throw new Error(
        `acknowledged ${all.length} deliveries, but ${stored.deliveries} are recorded with their job and ${stored.jobs} jobs queued`,
      );
    }
    return figures;
  } finally {
    await web.stop();
    await scratch.drop();
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchWebhookIntake();
}
