import type {
  JobHandler,
  JobQueue,
  QueueName,
  SendOptions,
} from "../../../src/services/queue-port.js";

export interface SentJob {
  name: QueueName;
  data: object;
  options: SendOptions | undefined;
}

/**
 * Records every job sent, repeats included, and runs none: a use case's job is the request it
 * made, which the test reads back with its singleton key. What the queue does with a repeated
 * key is the queue's to prove (test/integration/queue), not a use case's.
 */
export class RecordingJobQueue implements JobQueue {
  readonly sent: SentJob[] = [];
  readonly cancelled: { name: QueueName; jobId: string }[] = [];

  async send(name: QueueName, data: object, options?: SendOptions): Promise<string | undefined> {
    this.sent.push({ name, data: structuredClone(data), options });
    return `job-${this.sent.length}`;
  }

  async work<T extends object>(
    name: QueueName,
    _concurrency: number,
    _handler: JobHandler<T>,
  ): Promise<void> {
    throw new Error(`unexpected work(${name}): use cases queue jobs, they do not take them`);
  }

  async cancel(name: QueueName, jobId: string): Promise<void> {
    this.cancelled.push({ name, jobId });
  }

  async stop(): Promise<void> {}

  /** The data of the jobs sent to one queue, in order. */
  dataOf(name: QueueName): object[] {
    return this.sent.filter((job) => job.name === name).map((job) => job.data);
  }
}
