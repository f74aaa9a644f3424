import { sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJobQueue } from "../../../src/queue/job-queue.js";
import { acceptDeliveries, createDeliveryAcceptor } from "../../../src/services/accept-delivery.js";
import type { IncomingDelivery } from "../../../src/services/delivery-port.js";
import type { JobQueue, JobToQueue, TransactionalQueue } from "../../../src/services/queue-port.js";
import type { Database } from "../../../src/store/database.js";
import { createDeliveryRepository } from "../../../src/store/delivery-repository.js";
import {
  databaseKinds,
  openScratchDatabase,
  type OpenScratchDatabase,
} from "../../helpers/databases.js";
import { example } from "../../helpers/webhook-examples.js";

function delivery(deliveryId: string, event: "issue_comment" | "push"): IncomingDelivery {
  return {
    deliveryId,
    event,
    action: event === "push" ? undefined : "created",
    installationId: 2,
    repositoryFullName: "Codertocat/Hello-World",
    payload: example(event),
  };
}

describe.each(databaseKinds)("accepting deliveries on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let database: Database;
  let queue: JobQueue & TransactionalQueue;

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    database = opened.database;
    queue = await startJobQueue(
      database,
      [{ name: "github-event" }, { name: "github-push", policy: "singleton" }],
      pino({ level: "silent" }),
    );
  });
  afterAll(async () => {
    await queue?.stop(1000);
    await opened?.close();
  });

  const rows = async <T>(query: ReturnType<typeof sql>): Promise<T[]> => {
    const result = await database.db.execute(query);
    return (Array.isArray(result) ? result : (result as unknown as { rows: T[] }).rows) as T[];
  };

  it("records a batch with one job per new delivery, the row carrying the job's id", async () => {
    const deps = {
      deliveries: createDeliveryRepository(database.db),
      queue,
      inTransaction: database.transaction,
    };
    const outcomes = await acceptDeliveries(deps, [
      delivery("batch-1", "issue_comment"),
      delivery("batch-2", "push"),
      delivery("batch-1", "issue_comment"),
    ]);
    expect(outcomes).toEqual(["queued", "queued", "duplicate"]);
    expect(await acceptDeliveries(deps, [delivery("batch-2", "push")])).toEqual(["duplicate"]);

    const jobs = await rows<{ delivery_id: string; name: string; singleton_key: string | null }>(
      sql`select d.delivery_id, j.name, j.singleton_key from webhook_deliveries d
          join pgboss.job j on j.id = d.job_id::uuid
          where d.delivery_id in ('batch-1', 'batch-2') order by d.delivery_id`,
    );
    expect(jobs).toEqual([
      { delivery_id: "batch-1", name: "github-event", singleton_key: null },
      {
        delivery_id: "batch-2",
        name: "github-push",
        singleton_key: "push:Codertocat/Hello-World",
      },
    ]);
    const [count] = await rows<{ n: number }>(
      sql`select count(*)::int as n from pgboss.job where data->>'deliveryId' in ('batch-1', 'batch-2')`,
    );
    expect(Number(count?.n)).toBe(2);
  });

  it("records nothing of a delivery whose job the queue refuses, and still takes its batch-mates", async () => {
    const isRefused = (job: JobToQueue) => JSON.stringify(job.data).includes("refused-2");
    // Answers no id for that job, as pg-boss does for a job it did not insert.
    const refusing: TransactionalQueue = {
      sendAll: (jobs, transaction) =>
        queue.sendAll(
          jobs.filter((job) => !isRefused(job)),
          transaction,
        ),
      wake: (names) => queue.wake(names),
    };
    const accept = createDeliveryAcceptor(
      {
        deliveries: createDeliveryRepository(database.db),
        queue: refusing,
        inTransaction: database.transaction,
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    // The first goes alone; the other two wait for it and share the next transaction.
    const answers = await Promise.allSettled([
      accept(delivery("taken-1", "issue_comment")),
      accept(delivery("refused-2", "issue_comment")),
      accept(delivery("taken-3", "push")),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(answers[1]).toMatchObject({ reason: { message: expect.stringContaining("refused-2") } });

    const recorded = await rows<{ delivery_id: string; jobs: number }>(
      sql`select d.delivery_id,
            (select count(*)::int from pgboss.job j where j.id = d.job_id::uuid) as jobs
          from webhook_deliveries d
          where d.delivery_id in ('taken-1', 'refused-2', 'taken-3') order by d.delivery_id`,
    );
    expect(recorded).toEqual([
      { delivery_id: "taken-1", jobs: 1 },
      { delivery_id: "taken-3", jobs: 1 },
    ]);
    const [refusedJobs] = await rows<{ n: number }>(
      sql`select count(*)::int as n from pgboss.job where data->>'deliveryId' = 'refused-2'`,
    );
    expect(Number(refusedJobs?.n)).toBe(0);
  });
});
