ALTER TABLE "run_phases" ADD COLUMN "step" text;--> statement-breakpoint
ALTER TABLE "run_phases" ADD COLUMN "step_hook" text;--> statement-breakpoint
ALTER TABLE "run_phases" ADD COLUMN "step_summary" text;