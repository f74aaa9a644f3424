import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NotificationEventType } from "../../../src/domain/notification-events.js";
import { generateEncryptionKey } from "../../../src/lib/seal.js";
import type {
  NotificationStore,
  NotificationTargetRecord,
} from "../../../src/services/notification-port.js";
import { createNotificationRepository } from "../../../src/store/notification-repository.js";
import {
  databaseKinds,
  openScratchDatabase,
  type OpenScratchDatabase,
} from "../../helpers/databases.js";
import { networkSpec, seedRun } from "../../helpers/seed.js";

const target = (name: string): NotificationTargetRecord => ({
  name,
  kind: "webhook",
  destination: `https://${name}.example.com/hook`,
  secretName: "AUDIT_SECRET",
  trusted: false,
});

const MINUTE = 60_000;

/**
 * The outbox's ordering and claims on both databases: a run's events go to each target one after
 * another, and one worker at a time attempts a delivery.
 */
describe.each(databaseKinds)("the notification outbox on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let store: NotificationStore;
  let runId: string;
  const deliveryOf = new Map<string, string>();

  const record = async (type: NotificationEventType, sequence: number) =>
    store.recordEvent({
      runId,
      type,
      sequence,
      payload: { type },
      targets: [target("audit"), target("ops")],
    });

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    store = createNotificationRepository(opened.database.db, generateEncryptionKey().key);
    ({ runId } = await seedRun(opened.database.db, networkSpec()));
    // planned and unconfirmed come of the same run event: the order they are derived in holds.
    await record("run.created", 1);
    await record("run.unconfirmed", 2);
    await record("run.planned", 2);
    for (const summary of await store.deliveriesOfRun(runId)) {
      deliveryOf.set(`${summary.type}/${summary.targetName}`, summary.id);
    }
  });
  afterAll(() => opened?.close());

  const id = (key: string) => deliveryOf.get(key)!;
  const now = () => new Date();
  const lease = () => new Date(Date.now() + MINUTE);
  const finish = (deliveryId: string, status: "delivered" | "failed" | "refused") =>
    store.recordAttempt(
      deliveryId,
      {
        attempt: 1,
        at: now(),
        outcome: status === "failed" ? "failed" : status,
        responseStatus: undefined,
        durationMs: 5,
        error: undefined,
      },
      { status, nextAttemptAt: undefined },
    );

  it("queues only each target's earliest pending event of a run", async () => {
    const unqueued = await store.unqueuedDeliveries(runId);
    expect(new Set(unqueued)).toEqual(new Set([id("run.created/audit"), id("run.created/ops")]));
    expect(await store.unqueuedDeliveries(undefined)).toEqual(unqueued);
  });

  it("lets one worker claim a delivery at a time and holds a later event back", async () => {
    await store.markQueued([id("run.created/audit"), id("run.planned/audit")], now());
    expect(await store.claimAttempt(id("run.planned/audit"), now(), lease())).toEqual({
      kind: "waiting",
    });
    // The waiting one is unqueued, so that the earlier one's end queues it.
    expect(await store.unqueuedDeliveries(runId)).not.toContain(id("run.planned/audit"));
    expect(await store.claimAttempt(id("run.created/audit"), now(), lease())).toEqual({
      kind: "claimed",
    });
    const second = await store.claimAttempt(id("run.created/audit"), now(), lease());
    expect(second.kind).toBe("held");
    // A lease that ran out (its worker died) can be claimed again.
    expect(
      await store.claimAttempt(id("run.created/audit"), new Date(Date.now() + 2 * MINUTE), lease()),
    ).toEqual({ kind: "claimed" });
  });

  it("lets the next event go once the earlier one is delivered, given up or refused, in derived order", async () => {
    await finish(id("run.created/audit"), "delivered");
    expect(await store.claimAttempt(id("run.created/audit"), now(), lease())).toEqual({
      kind: "done",
    });
    // planned before unconfirmed, though both came of run event 2 and unconfirmed was recorded first.
    expect(await store.unqueuedDeliveries(runId)).toEqual([
      id("run.created/ops"),
      id("run.planned/audit"),
    ]);
    await finish(id("run.planned/audit"), "failed");
    expect(await store.unqueuedDeliveries(runId)).toContain(id("run.unconfirmed/audit"));
    await finish(id("run.created/ops"), "refused");
    expect(await store.unqueuedDeliveries(runId)).toContain(id("run.planned/ops"));
  });

  it("reopens a delivery for redelivery, naming its run, and says when there is none", async () => {
    expect(await store.reopen(id("run.created/audit"))).toEqual({ runId });
    expect(await store.reopen("00000000-0000-4000-8000-000000000000")).toBeUndefined();
    expect(await store.claimAttempt(id("run.created/audit"), now(), lease())).toEqual({
      kind: "claimed",
    });
  });
});
