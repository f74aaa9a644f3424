import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Metrics, ReadMetricsSnapshot } from "../services/metrics-port.js";

/** GitHub gives up on a webhook after 10 s; the buckets resolve well below that. */
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Phases run from a second (no changes) to the run timeout (an hour by default). */
const PHASE_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** A scrape waits this long at most for the database's counts, then serves without them. */
const SNAPSHOT_TIMEOUT_MS = 5_000;

export interface PrometheusMetrics {
  metrics: Metrics;
  /** The text exposition format, with the database's counts read now. */
  exposition(): Promise<{ contentType: string; body: string }>;
}

/**
 * Bosun's metrics on a registry of their own (prom-client's global one is never used, so two
 * Bosuns in one process, as in tests, keep separate counts), with Node's process metrics.
 */
export function createPrometheusMetrics(deps: {
  readSnapshot: ReadMetricsSnapshot;
  /** What this process's engines run in (/readyz's `sandbox`); undefined without workers. */
  sandbox: { mode: string; engines: string } | undefined;
}): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const webhookDeliveries = new Counter({
    name: "bosun_webhook_deliveries_total",
    help: "GitHub webhook deliveries answered, by event and outcome (accepted 2xx, rejected 4xx, failed 5xx)",
    labelNames: ["event", "outcome"],
    registers,
  });
  const webhookAck = new Histogram({
    name: "bosun_webhook_ack_seconds",
    help: "Time from a webhook request's arrival to Bosun's answer to GitHub",
    labelNames: ["outcome"],
    buckets: ACK_BUCKETS,
    registers,
  });
  const githubRequests = new Counter({
    name: "bosun_github_requests_total",
    help: "Requests to GitHub's API, by route template and the final answer's status",
    labelNames: ["route", "status"],
    registers,
  });
  const githubRemaining = new Gauge({
    name: "bosun_github_rate_limit_remaining",
    help: "x-ratelimit-remaining of GitHub's last answer, per installation and resource",
    labelNames: ["installation", "resource"],
    registers,
  });
  const githubWaits = new Counter({
    name: "bosun_github_rate_limit_waits_total",
    help: "Requests GitHub rate-limited, by limit and whether Bosun waited and retried or gave up",
    labelNames: ["limit", "outcome"],
    registers,
  });
  const githubWaitSeconds = new Counter({
    name: "bosun_github_rate_limit_wait_seconds_total",
    help: "Seconds spent waiting out GitHub's rate limits before retrying",
    labelNames: ["limit"],
    registers,
  });
  const stateRequests = new Counter({
    name: "bosun_state_requests_total",
    help: "Requests to Bosun's state backend, by method and outcome",
    labelNames: ["method", "outcome"],
    registers,
  });
  const phaseDuration = new Histogram({
    name: "bosun_phase_duration_seconds",
    help: "How long runner phases took, by phase and engine",
    labelNames: ["phase", "engine"],
    buckets: PHASE_BUCKETS,
    registers,
  });
  const engineExits = new Counter({
    name: "bosun_engine_exits_total",
    help: "Engine processes that ended a phase, by engine, phase and exit code",
    labelNames: ["engine", "phase", "code"],
    registers,
  });
  const notifications = new Counter({
    name: "bosun_notification_deliveries_total",
    help: "Notification delivery attempts, by target kind and outcome",
    labelNames: ["target_kind", "outcome"],
    registers,
  });
  const sandbox = new Gauge({
    name: "bosun_sandbox_info",
    help: "What this process's engine runs are confined by (engines: bubblewrap, uid or none)",
    labelNames: ["mode", "engines"],
    registers,
  });
  if (deps.sandbox) sandbox.set(deps.sandbox, 1);

  const runs = new Gauge({
    name: "bosun_runs",
    help: "Runs in the database by kind and status (the same in every process: aggregate with max)",
    labelNames: ["kind", "status"],
    registers,
  });
  const queueJobs = new Gauge({
    name: "bosun_queue_jobs",
    help: "Jobs waiting (created, retry) or running (active) per queue",
    labelNames: ["queue", "state"],
    registers,
  });
  const queueOldest = new Gauge({
    name: "bosun_queue_oldest_job_age_seconds",
    help: "Age of the oldest job waiting or running per queue and state",
    labelNames: ["queue", "state"],
    registers,
  });
  const connections = new Gauge({
    name: "bosun_database_connections",
    help: "Connections to PostgreSQL by application (bosun, pgboss) and state, from every process",
    labelNames: ["application", "state"],
    registers,
  });
  const snapshotUp = new Gauge({
    name: "bosun_metrics_database_up",
    help: "1 when this scrape read the database's counts, 0 when it could not",
    registers,
  });

  const refresh = async (): Promise<void> => {
    for (const gauge of [runs, queueJobs, queueOldest, connections]) gauge.reset();
    try {
      const snapshot = await withTimeout(deps.readSnapshot(), SNAPSHOT_TIMEOUT_MS);
      for (const row of snapshot.runs) runs.set({ kind: row.kind, status: row.status }, row.count);
      for (const row of snapshot.queues) {
        const labels = { queue: row.queue, state: row.state };
        queueJobs.set(labels, row.count);
        queueOldest.set(labels, row.oldestSeconds);
      }
      for (const row of snapshot.connections ?? []) {
        connections.set({ application: row.application, state: row.state }, row.count);
      }
      snapshotUp.set(1);
    } catch {
      snapshotUp.set(0);
    }
  };

  return {
    metrics: {
      webhookDelivery(event, outcome, seconds) {
        webhookDeliveries.inc({ event, outcome });
        webhookAck.observe({ outcome }, seconds);
      },
      githubRequest(route, status) {
        githubRequests.inc({ route, status: String(status) });
      },
      githubRateLimitRemaining(installation, resource, remaining) {
        githubRemaining.set({ installation, resource }, remaining);
      },
      githubRateLimitWait(limit, seconds, waited) {
        githubWaits.inc({ limit, outcome: waited ? "waited" : "gave_up" });
        if (waited) githubWaitSeconds.inc({ limit }, seconds);
      },
      stateRequest(method, outcome) {
        stateRequests.inc({ method, outcome });
      },
      phaseFinished({ phase, engine, seconds, exitCode }) {
        phaseDuration.observe({ phase, engine }, seconds);
        if (exitCode !== undefined) engineExits.inc({ engine, phase, code: String(exitCode) });
      },
      notificationAttempt(targetKind, outcome) {
        notifications.inc({ target_kind: targetKind, outcome });
      },
    },
    async exposition() {
      await refresh();
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
