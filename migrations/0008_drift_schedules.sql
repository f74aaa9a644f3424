ALTER TABLE "environments" ADD COLUMN "drift_schedule" text;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "drift_reconcile" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "drift_next_at" timestamp with time zone;