import { bigint, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { deliveryStatus } from "./enums.js";

/** Every webhook delivery accepted by intake; the id makes redeliveries idempotent. */
export const webhookDeliveries = pgTable("webhook_deliveries", {
  deliveryId: text("delivery_id").primaryKey(),
  event: text("event").notNull(),
  action: text("action"),
  installationId: bigint("installation_id", { mode: "number" }),
  repositoryFullName: text("repository_full_name"),
  /** The verified payload, kept so the job stays small and a failed job can be replayed. */
  payload: jsonb("payload").notNull(),
  status: deliveryStatus("status").notNull().default("queued"),
  jobId: text("job_id"),
  error: text("error"),
  receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  processedAt: timestamp("processed_at", { withTimezone: true }),
});
