import { inArray } from "drizzle-orm";
import type { Db } from "./database.js";
import { webhookDeliveries } from "./schema/index.js";

/** Which of these delivery ids intake has recorded (whatever became of them since). */
export async function receivedDeliveries(
  db: Db,
  deliveryIds: readonly string[],
): Promise<Set<string>> {
  if (deliveryIds.length === 0) return new Set();
  const rows = await db
    .select({ deliveryId: webhookDeliveries.deliveryId })
    .from(webhookDeliveries)
    .where(inArray(webhookDeliveries.deliveryId, [...deliveryIds]));
  return new Set(rows.map((row) => row.deliveryId));
}
