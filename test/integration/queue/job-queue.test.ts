import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSendOnlyQueue, startJobQueue } from "../../../src/queue/job-queue.js";
import { acceptDeliveries } from "../../../src/services/accept-delivery.js";
import type { JobQueue, TransactionalQueue } from "../../../src/services/queue-port.js";
import { createDeliveryRepository } from "../../../src/store/delivery-repository.js";
import {
  databaseKinds,
  openScratchDatabase,
  type OpenScratchDatabase,
} from "../../helpers/databases.js";
import { eventually } from "../../helpers/deliver.js";
import { example } from "../../helpers/webhook-examples.js";

/** Far longer than `eventually` waits: a job handled in time was taken because a worker was woken. */
const POLL_SECONDS = 120;

describe.each(databaseKinds)("the job queue on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let queue: JobQueue & TransactionalQueue;
  const handled: string[] = [];

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    queue = await startJobQueue(
      opened.database,
      [{ name: "github-event" }, { name: "report-run" }],
      pino({ level: "silent" }),
      { pollSeconds: POLL_SECONDS },
    );
    const record = async (job: { data: { tag?: string; deliveryId?: string } }) => {
      handled.push(job.data.tag ?? job.data.deliveryId ?? "?");
    };
    await queue.work("github-event", 2, record);
    await queue.work("report-run", 1, record);
  });
  afterAll(async () => {
    await queue?.stop(1000);
    await opened?.close();
  });

  it("wakes a worker of this process for a job it sends, instead of waiting for the next poll", async () => {
    await queue.send("report-run", { tag: "sent" });
    await eventually(async () => (handled.includes("sent") ? true : undefined));
  });

  it("wakes a worker for each delivery intake commits, one after another", async () => {
    const deps = {
      deliveries: createDeliveryRepository(opened.database.db),
      queue,
      inTransaction: opened.database.transaction,
    };
    for (const id of ["woken-1", "woken-2", "woken-3"]) {
      const outcomes = await acceptDeliveries(deps, [
        {
          deliveryId: id,
          event: "issue_comment",
          action: "created",
          installationId: 2,
          repositoryFullName: "Codertocat/Hello-World",
          payload: example("issue_comment"),
        },
      ]);
      expect(outcomes).toEqual(["queued"]);
      await eventually(async () => (handled.includes(id) ? true : undefined));
    }
  });
});

describe.each(databaseKinds)("a send-only queue (an operator command's) on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let queue: JobQueue & TransactionalQueue;
  const handled: string[] = [];

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    queue = await startJobQueue(
      opened.database,
      [{ name: "notify-delivery" }],
      pino({ level: "silent" }),
      {
        pollSeconds: 0.5,
      },
    );
    await queue.work("notify-delivery", 1, async (job: { data: { deliveryId?: string } }) => {
      handled.push(job.data.deliveryId ?? "?");
    });
  });
  afterAll(async () => {
    await queue?.stop(1000);
    await opened?.close();
  });

  it("sends a job that the running workers take at their next poll, and starts nothing of its own", async () => {
    const sender = await openSendOnlyQueue(opened.database, pino({ level: "silent" }));
    try {
      expect(await sender.send("notify-delivery", { deliveryId: "from-a-command" })).toMatch(
        /^[0-9a-f-]{36}$/,
      );
    } finally {
      await sender.stop();
    }
    await eventually(async () => (handled.includes("from-a-command") ? true : undefined));
  });
});
