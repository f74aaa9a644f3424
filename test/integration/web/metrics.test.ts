import { randomBytes } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEncryptionKey } from "../../../src/lib/seal.js";
import { databaseKinds, scratchDatabase } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import { type GithubFake, startGithubFake } from "../../helpers/github-fake/index.js";
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../helpers/notification-receivers.js";
import { family, parsePrometheusText, sampleValue } from "../../helpers/prometheus-text.js";
import {
  commentOnPullRequest,
  inRepository,
  openedExample,
  stagePullRequest,
} from "../../helpers/pull-request-scenario.js";
import { STAND_IN_TOFU } from "../../helpers/stand-in.js";
import {
  freePort,
  settled,
  startFlowBosun,
  startTestBosun,
  type TestBosun,
} from "../../helpers/test-bosun.js";
import { startWorkerProcess } from "../../helpers/worker-process.js";

/** Rows of a raw query, on either database. */
async function rowsOf<T>(bosun: TestBosun, query: SQL): Promise<T[]> {
  const result: unknown = await bosun.database.db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

const TOKEN = randomBytes(24).toString("hex");

describe.each(databaseKinds)("GET /metrics after a pull request's cycle on %s", (kind) => {
  let bosun: TestBosun;
  let github: GithubFake;
  let receiver: WebhookReceiver;
  const repository = { id: 890_001, fullName: `Codertocat/measured-${kind}` };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    bosun = await startFlowBosun(kind, {
      env: {
        BOSUN_METRICS_TOKEN: TOKEN,
        BOSUN_NOTIFY_URL: `${receiver.url}/server`,
        BOSUN_NOTIFY_SECRET: `whsec_${randomBytes(32).toString("base64")}`,
      },
    });
  });
  afterAll(async () => {
    await bosun?.close();
    await github?.close();
    await receiver?.close();
  });

  const scrape = async () => {
    const response = await fetch(`${bosun.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await response.text());
  };

  it("counts the deliveries, runs, phases, engine exits, GitHub requests and notifications of the cycle", async () => {
    github = await startGithubFake();
    const repo = github.repository(repository.fullName);
    await stagePullRequest(repo);
    expect(
      (await deliver(bosun.url, "pull_request", inRepository(openedExample, repository))).status,
    ).toBe(200);
    await eventually(
      async () => repo.checkRuns.some((run) => run.conclusion === "action_required") || undefined,
      { timeoutMs: 60_000 },
    );
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply"));
    await eventually(
      async () =>
        receiver.received("/server").some((request) => request.body.includes('"run.finished"')) ||
        undefined,
      { timeoutMs: 60_000 },
    );
    await settled(bosun);
    github.verify();

    const samples = await scrape();
    expect(sampleValue(samples, "bosun_metrics_database_up")).toBe(1);
    expect(family(samples, "bosun_webhook_deliveries_total")).toEqual({
      "event=pull_request,outcome=accepted": 1,
      "event=issue_comment,outcome=accepted": 1,
    });
    expect(family(samples, "bosun_webhook_ack_seconds_count")).toEqual({ "outcome=accepted": 2 });
    // GitHub gives up at 10 s: both answers came well inside the last bucket.
    expect(
      sampleValue(samples, "bosun_webhook_ack_seconds_bucket", { outcome: "accepted", le: "10" }),
    ).toBe(2);
    expect(family(samples, "bosun_runs")).toEqual({ "kind=proposed,status=SUCCEEDED": 1 });

    // One observation per phase row the run recorded; the apply prepares and inits again.
    const phases = await rowsOf<{ phase: string; n: number | string }>(
      bosun,
      sql`select phase, count(*) as n from run_phases group by phase`,
    );
    expect(family(samples, "bosun_phase_duration_seconds_count")).toEqual(
      Object.fromEntries(
        phases.map((row) => [`phase=${row.phase},engine=opentofu`, Number(row.n)]),
      ),
    );
    expect(family(samples, "bosun_phase_duration_seconds_count")).toEqual({
      "phase=PREPARING,engine=opentofu": 2,
      "phase=INITIALIZING,engine=opentofu": 2,
      "phase=PLANNING,engine=opentofu": 1,
      "phase=APPLYING,engine=opentofu": 1,
    });
    // `plan -detailed-exitcode` exits 2 when there are changes.
    expect(family(samples, "bosun_engine_exits_total")).toEqual({
      "engine=opentofu,phase=INITIALIZING,code=0": 2,
      "engine=opentofu,phase=PLANNING,code=2": 1,
      "engine=opentofu,phase=APPLYING,code=0": 1,
    });

    // Every API request the fake GitHub answered is counted once, by its route template.
    const githubRequests = family(samples, "bosun_github_requests_total");
    const apiRequests = github.requests.filter((request) => request.site === "api");
    expect(Object.values(githubRequests).reduce((sum, n) => sum + n, 0)).toBe(apiRequests.length);
    const answered = (method: string, path: RegExp) =>
      apiRequests.filter((request) => request.method === method && path.test(request.path)).length;
    expect(githubRequests).toMatchObject({
      "route=POST /app/installations/{installation_id}/access_tokens,status=201": 1,
      "route=GET /repos/{owner}/{repo}/tarball/{ref},status=200": 2,
      "route=POST /repos/{owner}/{repo}/check-runs,status=201": answered("POST", /\/check-runs$/),
      "route=PATCH /repos/{owner}/{repo}/check-runs/{check_run_id},status=200": answered(
        "PATCH",
        /\/check-runs\/\d+$/,
      ),
      "route=POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses,status=201": 2,
    });

    // The engine read its state, then locked, wrote and unlocked it while applying.
    expect(family(samples, "bosun_state_requests_total")).toEqual({
      "method=GET,outcome=ok": 3,
      "method=LOCK,outcome=ok": 1,
      "method=POST,outcome=ok": 1,
      "method=UNLOCK,outcome=ok": 1,
    });
    expect(family(samples, "bosun_notification_deliveries_total")).toEqual({
      "target_kind=webhook,outcome=delivered": receiver.received("/server").length,
    });
    expect(receiver.received("/server")).toHaveLength(6);
    // Settled: nothing waits in any queue.
    expect(family(samples, "bosun_queue_jobs")).toEqual({});

    const connections = family(samples, "bosun_database_connections");
    if (kind === "pglite") {
      expect(connections).toEqual({});
    } else {
      const of = (application: string) =>
        Object.entries(connections)
          .filter(([labels]) => labels.startsWith(`application=${application},`))
          .reduce((sum, [, n]) => sum + n, 0);
      // Within each pool's size (src/store/database.ts, src/queue/job-queue.ts).
      expect(of("bosun")).toBeGreaterThanOrEqual(1);
      expect(of("bosun")).toBeLessThanOrEqual(10);
      expect(of("pgboss")).toBeGreaterThanOrEqual(1);
      expect(of("pgboss")).toBeLessThanOrEqual(4);
    }
  });

  it("shows a job deferred to later, and a refused delivery as rejected", async () => {
    await bosun.queue.send(
      "notify-delivery",
      { deliveryId: "00000000-0000-0000-0000-000000000000", targetKey: "none" },
      { startAfterSeconds: 3600 },
    );
    const refused = await deliver(bosun.url, "pull_request", openedExample, {
      signature: "sha256=0000",
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    const samples = await scrape();
    expect(
      sampleValue(samples, "bosun_queue_jobs", { queue: "notify-delivery", state: "deferred" }),
    ).toBe(1);
    expect(
      sampleValue(samples, "bosun_queue_oldest_job_age_seconds", {
        queue: "notify-delivery",
        state: "deferred",
      }),
    ).toBe(0);
    expect(
      sampleValue(samples, "bosun_webhook_deliveries_total", {
        event: "pull_request",
        outcome: "rejected",
      }),
    ).toBe(1);
  });

  it("answers only the bearer of BOSUN_METRICS_TOKEN", async () => {
    const bare = await fetch(`${bosun.url}/metrics`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get("www-authenticate")).toBe('Bearer realm="bosun-metrics"');
    const wrong = await fetch(`${bosun.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN.slice(1)}x` },
    });
    expect(wrong.status).toBe(401);
    expect(sampleValue(await scrape(), "bosun_metrics_database_up")).toBe(1);
  });
});

// A `bosun worker` shares a database server with the web process, never an embedded one.
describe.runIf(databaseKinds.includes("postgres"))("BOSUN_METRICS_PORT", () => {
  it("serves /metrics from a `bosun worker` process, which has no other listener", async () => {
    const scratch = await scratchDatabase("postgres", { migrated: true });
    const github = await startGithubFake();
    const port = await freePort();
    const worker = await startWorkerProcess({
      databaseUrl: scratch.env.DATABASE_URL!,
      encryptionKey: generateEncryptionKey().text,
      publicUrl: "http://127.0.0.1:1",
      githubHost: github.host,
      engine: STAND_IN_TOFU,
      env: { BOSUN_METRICS_PORT: String(port), BOSUN_METRICS_TOKEN: TOKEN },
    });
    try {
      const text = await eventually(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        }).catch(() => undefined);
        return response?.status === 200 ? response.text() : undefined;
      });
      const samples = parsePrometheusText(text);
      expect(sampleValue(samples, "bosun_metrics_database_up")).toBe(1);
      // What the worker's engines run in, as it decided at start.
      expect(Object.values(family(samples, "bosun_sandbox_info"))).toEqual([1]);
      expect(samples.find((sample) => sample.name === "bosun_sandbox_info")?.labels.mode).toBe(
        "auto",
      );
      expect(sampleValue(samples, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    } finally {
      await worker.cleanup();
      await github.close();
      await scratch.drop();
    }
  });

  it("moves /metrics off PORT", async () => {
    const bosun = await startTestBosun("pglite", {
      env: { BOSUN_METRICS_PORT: String(await freePort()) },
    });
    try {
      expect((await fetch(`${bosun.url}/metrics`)).status).toBe(404);
      const response = await fetch(`http://127.0.0.1:${bosun.metricsPort}/metrics`);
      expect(response.status).toBe(200);
      const samples = parsePrometheusText(await response.text());
      expect(sampleValue(samples, "bosun_metrics_database_up")).toBe(1);
    } finally {
      await bosun.close();
    }
  });
});
