ALTER TABLE "changesets" ADD COLUMN "reverts_run_id" uuid;--> statement-breakpoint
ALTER TABLE "run_components" ADD COLUMN "worker_id" text;--> statement-breakpoint
ALTER TABLE "run_components" ADD COLUMN "heartbeat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "run_components" ADD COLUMN "plan_attempts" integer DEFAULT 0 NOT NULL;