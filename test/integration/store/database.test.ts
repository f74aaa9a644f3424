import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../../src/store/database.js";
import { createDeliveryRepository } from "../../../src/store/delivery-repository.js";
import { createInstallationRepository } from "../../../src/store/installation-repository.js";
import {
  changes,
  changesets,
  components,
  environments,
  installations,
  repositories,
  stacks,
  webhookDeliveries,
} from "../../../src/store/schema/index.js";
import {
  databaseKinds,
  openScratchDatabase,
  type OpenScratchDatabase,
} from "../../helpers/databases.js";
import { eq } from "drizzle-orm";

describe.each(databaseKinds)("storage on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let database: Database;

  beforeAll(async () => {
    opened = await openScratchDatabase(kind, { migrate: false });
    database = opened.database;
  });
  afterAll(async () => {
    await opened.close();
  });

  it("is not ready before migrating, and migrating twice is a no-op", async () => {
    expect(await database.isReady()).toBe(false);
    await database.migrate();
    await database.migrate();
    expect(await database.isReady()).toBe(true);
  });

  it("keeps at most one change per component per changeset", async () => {
    const installationStore = createInstallationRepository(database.db);
    await installationStore.upsertInstallation({ id: 11, accountLogin: "acme" });
    await installationStore.addRepositories(11, [{ id: 101, fullName: "acme/infra" }]);
    const [env] = await database.db
      .insert(environments)
      .values({ repositoryId: 101, name: "prod" })
      .returning();
    const [stack] = await database.db
      .insert(stacks)
      .values({ repositoryId: 101, name: "network", dir: "infra/network" })
      .returning();
    const [component] = await database.db
      .insert(components)
      .values({ stackId: stack!.id, environmentId: env!.id })
      .returning();
    const [changeset] = await database.db
      .insert(changesets)
      .values({ repositoryId: 101, environmentId: env!.id, headSha: "a".repeat(40) })
      .returning();
    await database.db
      .insert(changes)
      .values({ changesetId: changeset!.id, componentId: component!.id, kind: "update" });
    await expect(
      database.db
        .insert(changes)
        .values({ changesetId: changeset!.id, componentId: component!.id, kind: "destroy" }),
    ).rejects.toThrow();
  });

  it("records each delivery once, with its job, only when the transaction commits", async () => {
    const deliveries = createDeliveryRepository(database.db);
    const delivery = {
      deliveryId: "d-1",
      event: "push",
      action: undefined,
      installationId: 11,
      repositoryFullName: "acme/infra",
      payload: { ref: "refs/heads/main", head_commit: { message: "fix: \u00e9t\u00e9" } },
    };
    const rolledBack = database.transaction(async (transaction) => {
      await deliveries.record(transaction, [{ ...delivery, jobId: "job-0" }]);
      throw new Error("the job could not be queued");
    });
    await expect(rolledBack).rejects.toThrow("the job could not be queued");
    expect(await deliveries.load("d-1")).toBeUndefined();

    const recorded = await database.transaction((transaction) =>
      deliveries.record(transaction, [
        { ...delivery, jobId: "job-1" },
        { ...delivery, deliveryId: "d-2", jobId: "job-2" },
        { ...delivery, jobId: "job-3" },
      ]),
    );
    expect(recorded).toEqual(new Set(["job-1", "job-2"]));
    const again = await database.transaction((transaction) =>
      deliveries.record(transaction, [{ ...delivery, jobId: "job-4" }]),
    );
    expect(again).toEqual(new Set());
    expect(await deliveries.load("d-1")).toEqual(delivery);
    const [row] = await database.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.deliveryId, "d-1"));
    expect(row?.jobId).toBe("job-1");
    expect(await deliveries.unqueued(new Date(Date.now() + 1000))).toEqual([]);
  });

  it("finds a delivery recorded without a job, until one is attached", async () => {
    const deliveries = createDeliveryRepository(database.db);
    await database.db
      .insert(webhookDeliveries)
      .values({ deliveryId: "d-orphan", event: "push", payload: {} });
    expect(await deliveries.unqueued(new Date(Date.now() + 1000))).toEqual(["d-orphan"]);
    await deliveries.attachJob("d-orphan", "job-3");
    expect(await deliveries.unqueued(new Date(Date.now() + 1000))).toEqual([]);
  });

  it("soft-removes repositories and revives them on re-add", async () => {
    const store = createInstallationRepository(database.db);
    await store.removeRepositories(11, [101]);
    const [removed] = await database.db.select().from(repositories).where(eq(repositories.id, 101));
    expect(removed?.removedAt).toBeInstanceOf(Date);
    await store.addRepositories(11, [{ id: 101, fullName: "acme/infrastructure" }]);
    const [back] = await database.db.select().from(repositories).where(eq(repositories.id, 101));
    expect(back).toMatchObject({ removedAt: null, fullName: "acme/infrastructure" });
    await store.markInstallation(11, "deleted");
    const [gone] = await database.db.select().from(installations).where(eq(installations.id, 11));
    expect(gone?.deletedAt).toBeInstanceOf(Date);
  });
});
