export const QUEUE_NAMES = [
  "github-event",
  "github-push",
  "run-component",
  "report-run",
  "drift-tick",
  "notify-run",
  "notify-delivery",
  "notify-sweep",
  "collect-garbage",
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * An open database transaction: the store and the queue act inside it when handed one, so that
 * what they write commits together or not at all. Services only pass it along.
 */
export interface Transaction {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Runs `work` in one database transaction, committed when it resolves, rolled back when it throws. */
export type InTransaction = <T>(work: (transaction: Transaction) => Promise<T>) => Promise<T>;

export interface SendOptions {
  /** At most one queued job per key (deduplication of the same work). */
  singletonKey?: string;
  startAfterSeconds?: number;
}

/** A job queued with an id chosen by the caller, who records it elsewhere in the same transaction. */
export interface JobToQueue {
  name: QueueName;
  id: string;
  data: object;
  singletonKey?: string;
}

export interface Job<T> {
  id: string;
  data: T;
  retryCount: number;
}
export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface JobQueue {
  send(name: QueueName, data: object, options?: SendOptions): Promise<string | undefined>;
  work<T extends object>(
    name: QueueName,
    concurrency: number,
    handler: JobHandler<T>,
  ): Promise<void>;
  /** Withdraws a job that has not completed (a lost worker's), so it is never run again. */
  cancel(name: QueueName, jobId: string): Promise<void>;
  /** Stops taking jobs, waits for those in hand (up to the timeout), and closes. */
  stop(timeoutMs?: number): Promise<void>;
}

/** The queue as intake uses it: jobs written in the same transaction as the deliveries. */
export interface TransactionalQueue {
  /** Queues the jobs inside `transaction` (they exist once it commits); answers the ids queued. */
  sendAll(jobs: readonly JobToQueue[], transaction: Transaction): Promise<string[]>;
  /**
   * Jobs of these queues were committed: a worker of this process takes them now rather than at
   * its next poll (workers of other processes still find them by polling).
   */
  wake(names: readonly QueueName[]): void;
}
