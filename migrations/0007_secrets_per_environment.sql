ALTER TABLE "stack_secrets" DROP CONSTRAINT "stack_secrets_repository_stack_name";--> statement-breakpoint
ALTER TABLE "stack_secrets" ADD COLUMN "environment_name" text;--> statement-breakpoint
ALTER TABLE "stack_secrets" ADD CONSTRAINT "stack_secrets_repository_stack_environment_name" UNIQUE NULLS NOT DISTINCT("repository_id","stack_name","environment_name","name");