import { and, eq, isNull, lt } from "drizzle-orm";
import { z } from "zod";
import type { DeliveryOutcome, DeliveryStore } from "../services/delivery-port.js";
import type { Db } from "./database.js";
import { webhookDeliveries } from "./schema/index.js";

/**
 * Written out rather than built by drizzle so that a whole batch is one prepared statement with one
 * parameter (a JSON array, parsed once: the payloads are taken from it as jsonb, not parsed again),
 * run inside the intake transaction beside pg-boss's inserts of the jobs.
 */
const RECORD_DELIVERIES = `
  insert into webhook_deliveries
    (delivery_id, event, action, installation_id, repository_full_name, payload, job_id)
  select delivery_id, event, action, installation_id, repository_full_name, payload, job_id
  from jsonb_to_recordset($1::jsonb) as delivery (
    delivery_id text, event text, action text, installation_id bigint,
    repository_full_name text, payload jsonb, job_id text)
  on conflict (delivery_id) do nothing
  returning job_id`;

const RecordedRow = z.object({ job_id: z.string() });

export function createDeliveryRepository(db: Db): DeliveryStore {
  return {
    async record(transaction, deliveries) {
      const rows = deliveries.map((delivery) => ({
        delivery_id: delivery.deliveryId,
        event: delivery.event,
        action: delivery.action ?? null,
        installation_id: delivery.installationId ?? null,
        repository_full_name: delivery.repositoryFullName ?? null,
        payload: delivery.payload,
        job_id: delivery.jobId,
      }));
      const recorded = await transaction.executeSql(RECORD_DELIVERIES, [JSON.stringify(rows)]);
      return new Set(recorded.rows.map((row) => RecordedRow.parse(row).job_id));
    },
    async attachJob(deliveryId, jobId) {
      await db
        .update(webhookDeliveries)
        .set({ jobId })
        .where(eq(webhookDeliveries.deliveryId, deliveryId));
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
