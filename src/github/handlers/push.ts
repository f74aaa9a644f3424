import { z } from "zod";
import type { PlanDeps } from "../../services/plan-deps.js";
import { trackPush } from "../../services/track-push.js";
import { trackTagPush } from "../../services/track-tag-push.js";
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
  /** The pushed commit; for an annotated tag, `after` is the tag object and this the commit. */
  head_commit: z.object({ id: z.string() }).nullable().optional(),
});

/**
 * A push to the tracked branch deploys, and so does a tag the tracked branch's `tracked_tags`
 * names; other branches and tags do nothing.
 */
export function createPushHandler(flow: PlanDeps): EventHandler {
  return async ({ payload, log }) => {
    // The services log with the delivery's id and repository.
    const deps: PlanDeps = { ...flow, log };
    const event = PushEvent.parse(payload);
    const pusher = event.sender?.login ?? event.pusher.name;
    if (event.ref.startsWith("refs/tags/")) {
      const outcome = await trackTagPush(deps, {
        installationId: event.installation.id,
        repository: repositoryOf(event),
        ref: event.ref,
        commitSha: event.head_commit?.id ?? event.after,
        deleted: event.deleted ?? false,
        pusher,
      });
      log.info({ outcome: outcome.kind }, "tag push handled");
      return outcome.kind === "not-tracked" ? "ignored" : "processed";
    }
    const outcome = await trackPush(deps, {
      installationId: event.installation.id,
      repository: repositoryOf(event),
      ref: event.ref,
      before: event.before,
      after: event.after,
      forced: event.forced ?? false,
      deleted: event.deleted ?? false,
      pusher,
    });
    log.info({ outcome: outcome.kind }, "push handled");
    return outcome.kind === "not-tracked" ? "ignored" : "processed";
  };
}
