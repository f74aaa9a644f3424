CREATE TYPE "public"."api_token_scope" AS ENUM('read', 'trigger');--> statement-breakpoint
ALTER TYPE "public"."run_kind" ADD VALUE 'plan';--> statement-breakpoint
ALTER TYPE "public"."run_kind" ADD VALUE 'drift';--> statement-breakpoint
CREATE TABLE "api_token_repositories" (
	"token_id" uuid NOT NULL,
	"repository_id" bigint NOT NULL,
	CONSTRAINT "api_token_repositories_token_id_repository_id_pk" PRIMARY KEY("token_id","repository_id")
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"scope" "api_token_scope" NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "drifted" boolean;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "drift_checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "drift_run_id" uuid;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "drift_issue_number" integer;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "triggered_by_token_id" uuid;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "runtime_config" jsonb;--> statement-breakpoint
ALTER TABLE "api_token_repositories" ADD CONSTRAINT "api_token_repositories_token_id_api_tokens_id_fk" FOREIGN KEY ("token_id") REFERENCES "public"."api_tokens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_token_repositories" ADD CONSTRAINT "api_token_repositories_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_triggered_by_token_id_api_tokens_id_fk" FOREIGN KEY ("triggered_by_token_id") REFERENCES "public"."api_tokens"("id") ON DELETE set null ON UPDATE no action;