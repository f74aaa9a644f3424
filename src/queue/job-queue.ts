import PgBoss from "pg-boss";
import type { Logger } from "pino";
import type {
  JobQueue,
  JobHandler,
  JobToQueue,
  QueueName,
  SendOptions,
  Transaction,
  TransactionalQueue,
} from "../services/queue-port.js";
import type { Database } from "../store/database.js";

/** A queue as pg-boss creates it: its name, how its jobs collapse, how often they are retried. */
export interface QueueDefinition {
  name: QueueName;
  policy?: "standard" | "singleton" | "stately";
  retryLimit?: number;
  /** How long a job may stay active before pg-boss takes it back (default 15 minutes). */
  expireInSeconds?: number;
  /**
   * A cron expression (UTC): pg-boss queues a job of this queue at each of its times, once
   * across every process that shares the database.
   */
  schedule?: string;
}

/** How often an idle worker looks for jobs that another process queued. */
const POLL_SECONDS = 0.5;
/**
 * How often expired jobs (those a dead worker held) are taken back and retried: at most 15 s, and
 * at most a quarter of the shortest expiry, so a job is never held much past its own.
 */
const MAX_MAINTENANCE_SECONDS = 15;

/** pg-boss on Bosun's database (not started): its own pool on PostgreSQL, the shared session on PGlite. */
function createBoss(
  database: Database,
  log: Logger,
  options: Pick<PgBoss.ConstructorOptions, "maintenanceIntervalSeconds" | "supervise" | "schedule">,
): PgBoss {
  const connection = database.queueConnection;
  const boss =
    "connectionString" in connection
      ? new PgBoss({
          connectionString: connection.connectionString,
          schema: "pgboss",
          max: 4,
          ...options,
        })
      : new PgBoss({
          schema: "pgboss",
          db: { executeSql: (text, values) => connection.executor.executeSql(text, values) },
          ...options,
        });
  boss.on("error", (error: Error) => log.error({ err: error }, "job queue error"));
  return boss;
}

/**
 * A queue an operator command sends to, beside the workers of running processes (which poll for
 * what it sends): it keeps no schedule and maintains nothing.
 */
export async function openSendOnlyQueue(
  database: Database,
  log: Logger,
): Promise<Pick<JobQueue, "send" | "stop">> {
  const boss = createBoss(database, log, { supervise: false, schedule: false });
  // It installs pg-boss's schema when no worker has run yet: under the migration lock, as workers do.
  await database.underMigrationLock(() => boss.start());
  return {
    async send(name: QueueName, data: object, options: SendOptions = {}) {
      const id = await boss.send(name, data, {
        ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
      });
      return id ?? undefined;
    },
    async stop(timeoutMs = 10_000) {
      await boss.stop({ graceful: false, wait: true, timeout: timeoutMs, close: true });
    },
  };
}

/**
 * The durable job queue, on pg-boss in Bosun's own database (schema `pgboss`). On PGlite it runs
 * its SQL through the same single-session instance as drizzle, so one embedded database holds
 * everything. Retries: a job that throws is retried with backoff; see ADR 0002.
 */
export async function startJobQueue(
  database: Database,
  queues: readonly QueueDefinition[],
  log: Logger,
  { pollSeconds = POLL_SECONDS }: { pollSeconds?: number } = {},
): Promise<JobQueue & TransactionalQueue> {
  const maintenanceSeconds = Math.max(
    1,
    Math.min(
      MAX_MAINTENANCE_SECONDS,
      ...queues.map((queue) => Math.ceil((queue.expireInSeconds ?? Infinity) / 4)),
    ),
  );
  const boss = createBoss(database, log, { maintenanceIntervalSeconds: maintenanceSeconds });
  // pg-boss installs or upgrades its schema at start, and each queue is a partition created on
  // first use: under the migration lock, processes starting together do it one after another.
  await database.underMigrationLock(async () => {
    await boss.start();
    for (const queue of queues) {
      await boss.createQueue(queue.name, {
        name: queue.name,
        policy: queue.policy ?? "standard",
        retryLimit: queue.retryLimit ?? 5,
        retryDelay: 2,
        retryBackoff: true,
        ...(queue.expireInSeconds ? { expireInSeconds: queue.expireInSeconds } : {}),
      });
      // pg-boss 10 keeps one schedule per queue name: every process writes the same one, and its
      // timekeeper sends each time's job once, whichever process gets there first.
      if (queue.schedule) await boss.schedule(queue.name, queue.schedule, {}, { tz: "UTC" });
    }
  });
  const workerIds: string[] = [];
  const workersOf = new Map<QueueName, string[]>();
  // One worker of the queue is woken per batch of new jobs, in turn: the job's wait for a poll
  // goes, without every worker of the queue fetching at once.
  const wake = (names: readonly QueueName[]) => {
    for (const name of names) {
      const ids = workersOf.get(name);
      const id = ids?.shift();
      if (ids === undefined || id === undefined) continue;
      ids.push(id);
      boss.notifyWorker(id);
    }
  };
  return {
    wake,
    async send(name: QueueName, data: object, options: SendOptions = {}) {
      const id = await boss.send(name, data, {
        ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
        ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
      });
      if (id && !options.startAfterSeconds) wake([name]);
      return id ?? undefined;
    },
    async sendAll(jobs: readonly JobToQueue[], transaction: Transaction) {
      // One send per job, which answers its id (pg-boss's batch insert answers nothing); sent
      // together, they go to the database together on the transaction's connection.
      const ids = await Promise.all(
        jobs.map((job) =>
          boss.send(job.name, job.data, {
            id: job.id,
            ...(job.singletonKey ? { singletonKey: job.singletonKey } : {}),
            db: transaction,
          }),
        ),
      );
      return ids.filter((id): id is string => typeof id === "string");
    },
    async work<T extends object>(name: QueueName, concurrency: number, handler: JobHandler<T>) {
      // pg-boss 10 polls one batch per worker: concurrency is the number of workers.
      for (let i = 0; i < concurrency; i += 1) {
        const id = await boss.work<T>(
          name,
          { batchSize: 1, pollingIntervalSeconds: pollSeconds },
          async ([job]) => {
            if (job) await handler({ id: job.id, data: job.data, retryCount: 0 });
          },
        );
        workerIds.push(id);
        workersOf.set(name, [...(workersOf.get(name) ?? []), id]);
      }
    },
    async cancel(name: QueueName, jobId: string) {
      await boss.cancel(name, jobId);
    },
    async stop(timeoutMs = 30_000) {
      await boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: true });
    },
  };
}
