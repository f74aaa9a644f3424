import type { EngineKind } from "../domain/engine-kind.js";
import type { AttemptOutcome, NotificationTargetRecord } from "./notification-port.js";

/** How a webhook request ended for GitHub: 2xx, a 4xx refusal, or a 5xx it will redeliver. */
export const WEBHOOK_OUTCOMES = ["accepted", "rejected", "failed"] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/** How a state-backend request ended for the engine. */
export const STATE_OUTCOMES = ["ok", "refused", "conflict", "rejected", "error"] as const;
export type StateOutcome = (typeof STATE_OUTCOMES)[number];

/** Which of GitHub's limits a request ran into. */
export type GithubRateLimit = "primary" | "secondary";

/**
 * What Bosun measures of itself as it works, for `GET /metrics`. Every method records one thing
 * that just happened, in this process; counts that must agree across processes (runs, queues,
 * connections) are read from the database when scraped instead ({@link MetricsSnapshot}).
 */
export interface Metrics {
  webhookDelivery(event: string, outcome: WebhookOutcome, seconds: number): void;
  /** One answer GitHub gave (after any waits for its limits); `route` is the URL template. */
  githubRequest(route: string, status: number): void;
  /** `x-ratelimit-remaining` of an answer, per installation (or the App itself) and resource. */
  githubRateLimitRemaining(installation: string, resource: string, remaining: number): void;
  /** A rate-limited request: waited `seconds` and retried, or given up when `waited` is false. */
  githubRateLimitWait(limit: GithubRateLimit, seconds: number, waited: boolean): void;
  stateRequest(method: string, outcome: StateOutcome): void;
  /** A runner phase ended; `exitCode` is the engine's last exit code, when it ran. */
  phaseFinished(sample: {
    phase: string;
    engine: EngineKind;
    seconds: number;
    exitCode: number | undefined;
  }): void;
  notificationAttempt(targetKind: NotificationTargetRecord["kind"], outcome: AttemptOutcome): void;
}

/** Counts read from the database at scrape time: the same answer in every process. */
export interface MetricsSnapshot {
  runs: { kind: string; status: string; count: number }[];
  queues: { queue: string; state: string; count: number; oldestSeconds: number }[];
  /** Connections to PostgreSQL by application (bosun, pgboss) and state; none on PGlite. */
  connections: { application: string; state: string; count: number }[] | undefined;
}

export type ReadMetricsSnapshot = () => Promise<MetricsSnapshot>;
