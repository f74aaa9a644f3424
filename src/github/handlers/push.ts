import { z } from "zod";
import type { PlanDeps } from "../../services/plan-deps.js";
import { trackPush } from "../../services/track-push.js";
import type { EventHandler } from "../process-delivery.js";
import { repositoryOf } from "../translate-pull-request.js";

const PushEvent = z.object({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  forced: z.boolean().optional(),
  deleted: z.boolean().optional(),
  installation: z.object({ id: z.number().int() }),
  repository: z.object({ id: z.number().int(), full_name: z.string(), default_branch: z.string() }),
  pusher: z.object({ name: z.string() }),
  sender: z.object({ login: z.string() }).optional(),
});

/** A push to the tracked branch deploys; tags and other branches do nothing. */
export function createPushHandler(flow: PlanDeps): EventHandler {
  return async ({ payload, log }) => {
    // The services log with the delivery's id and repository.
    const deps: PlanDeps = { ...flow, log };
    const event = PushEvent.parse(payload);
    const outcome = await trackPush(deps, {
      installationId: event.installation.id,
      repository: repositoryOf(event),
      ref: event.ref,
      before: event.before,
      after: event.after,
      forced: event.forced ?? false,
      deleted: event.deleted ?? false,
      pusher: event.sender?.login ?? event.pusher.name,
    });
    log.info({ outcome: outcome.kind }, "push handled");
    return outcome.kind === "not-tracked" ? "ignored" : "processed";
  };
}
