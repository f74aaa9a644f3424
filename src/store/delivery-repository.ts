import { and, eq, isNull, lt } from "drizzle-orm";
import type { DeliveryOutcome, DeliveryStore, IncomingDelivery } from "../services/ports.js";
import type { Db } from "./database.js";
import { webhookDeliveries } from "./schema/index.js";

export function createDeliveryRepository(db: Db): DeliveryStore {
  return {
    async record(delivery: IncomingDelivery) {
      const inserted = await db
        .insert(webhookDeliveries)
        .values({
          deliveryId: delivery.deliveryId,
          event: delivery.event,
          action: delivery.action ?? null,
          installationId: delivery.installationId ?? null,
          repositoryFullName: delivery.repositoryFullName ?? null,
          payload: delivery.payload,
        })
        .onConflictDoNothing({ target: webhookDeliveries.deliveryId })
        .returning({ deliveryId: webhookDeliveries.deliveryId });
      return inserted.length === 1 ? "new" : "duplicate";
    },
    async attachJob(deliveryId, jobId) {
      await db
        .update(webhookDeliveries)
        .set({ jobId })
        .where(eq(webhookDeliveries.deliveryId, deliveryId));
    },
    async forget(deliveryId) {
      await db.delete(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
    },
    async load(deliveryId) {
      const [row] = await db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.deliveryId, deliveryId));
      if (!row) return undefined;
      return {
        deliveryId: row.deliveryId,
        event: row.event,
        action: row.action ?? undefined,
        installationId: row.installationId ?? undefined,
        repositoryFullName: row.repositoryFullName ?? undefined,
        payload: row.payload,
      };
    },
    async finish(deliveryId, outcome: DeliveryOutcome, error) {
      await db
        .update(webhookDeliveries)
        .set({ status: outcome, error: error ?? null, processedAt: new Date() })
        .where(eq(webhookDeliveries.deliveryId, deliveryId));
    },
    async unqueued(olderThan) {
      const rows = await db
        .select({ deliveryId: webhookDeliveries.deliveryId })
        .from(webhookDeliveries)
        .where(
          and(
            eq(webhookDeliveries.status, "queued"),
            isNull(webhookDeliveries.jobId),
            lt(webhookDeliveries.receivedAt, olderThan),
          ),
        );
      return rows.map((row) => row.deliveryId);
    },
  };
}
