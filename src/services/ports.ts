/**
 * The ports through which services reach the world. Adapters live in store/, queue/, runner/ and
 * github/; main.ts wires them.
 */

export const QUEUE_NAMES = ["github-event"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface SendOptions {
  /** At most one queued job per key (deduplication of the same work). */
  singletonKey?: string;
  startAfterSeconds?: number;
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
  /** Stops taking jobs, waits for those in hand (up to the timeout), and closes. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface IncomingDelivery {
  deliveryId: string;
  event: string;
  action: string | undefined;
  installationId: number | undefined;
  repositoryFullName: string | undefined;
  payload: unknown;
}

export type DeliveryOutcome = "processed" | "ignored" | "rejected" | "failed";

export interface DeliveryStore {
  /** Records the delivery unless one with its id was already queued; says which. */
  record(delivery: IncomingDelivery): Promise<"new" | "duplicate">;
  attachJob(deliveryId: string, jobId: string): Promise<void>;
  forget(deliveryId: string): Promise<void>;
  load(deliveryId: string): Promise<IncomingDelivery | undefined>;
  finish(deliveryId: string, outcome: DeliveryOutcome, error?: string): Promise<void>;
  /** Deliveries recorded before `olderThan` whose job was never queued (the process died between). */
  unqueued(olderThan: Date): Promise<string[]>;
}

export interface RepositoryRef {
  id: number;
  fullName: string;
}

export interface InstallationStore {
  upsertInstallation(installation: { id: number; accountLogin: string }): Promise<void>;
  markInstallation(id: number, change: "deleted" | "suspended" | "unsuspended"): Promise<void>;
  addRepositories(installationId: number, repositories: RepositoryRef[]): Promise<void>;
  removeRepositories(installationId: number, repositoryIds: number[]): Promise<void>;
}
