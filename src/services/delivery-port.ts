import type { Transaction } from "./queue-port.js";

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
  /**
   * Records the deliveries, each with the id of the job that will handle it, inside `transaction`,
   * skipping those whose delivery id was recorded before (or earlier in the list). Answers the job
   * ids of the deliveries recorded now.
   */
  record(
    transaction: Transaction,
    deliveries: readonly (IncomingDelivery & { jobId: string })[],
  ): Promise<Set<string>>;
  attachJob(deliveryId: string, jobId: string): Promise<void>;
  load(deliveryId: string): Promise<IncomingDelivery | undefined>;
  finish(deliveryId: string, outcome: DeliveryOutcome, error?: string): Promise<void>;
  /** Deliveries recorded before `olderThan` whose job was never queued (the process died between). */
  unqueued(olderThan: Date): Promise<string[]>;
}
