import { z } from "zod";
import {
  NOTIFICATION_EVENT_TYPES,
  type RunNotificationEvent,
} from "../domain/notification-events.js";
import { RUN_KINDS } from "../domain/run-kind.js";
import { RUN_STATUSES } from "../domain/run-status.js";
import { COMPONENT_PHASES } from "../domain/component-phase.js";
import type { RunView } from "../services/run-view-port.js";

/** The payload's format version: a change that removes or renames a field makes it 2. */
export const NOTIFICATION_PAYLOAD_VERSION = 1;

const Delta = z
  .object({
    add: z.number().int(),
    change: z.number().int(),
    destroy: z.number().int(),
    replace: z.number().int(),
    import: z.number().int(),
    move: z.number().int(),
    forget: z.number().int(),
  })
  .describe("The plan's resource counts, as the check run's `+add ~change -destroy`.");

export const NotificationComponent = z.object({
  stack: z.string(),
  phase: z.enum(COMPONENT_PHASES),
  /** What the changeset does to the component. */
  change: z.string(),
  delta: Delta.nullable().describe("Null until the component is planned."),
});

/**
 * A notification's body (docs/design.md "Notifications"): the Standard Webhooks shape
 * `{type, timestamp, data}`. Names, counts and links only: no secret, no plan text, no
 * variable value.
 */
export const NotificationPayload = z
  .object({
    type: z.enum(NOTIFICATION_EVENT_TYPES),
    timestamp: z.iso.datetime().describe("When the event happened (RFC 3339, UTC)."),
    data: z.object({
      version: z.literal(NOTIFICATION_PAYLOAD_VERSION),
      run: z.object({
        id: z.uuid(),
        kind: z.enum(RUN_KINDS),
        status: z.enum(RUN_STATUSES).describe("The run's status just after the event."),
        url: z.url().describe("The run page, through a signed link valid for 30 days."),
        commit_sha: z.string(),
        trigger: z.string(),
        triggered_by: z.string(),
        machine_user: z.boolean().describe("Started with an API token."),
        confirmed_by: z.string().nullable(),
        pull_request: z.object({ number: z.number().int(), url: z.url() }).nullable(),
      }),
      repository: z.object({ full_name: z.string(), url: z.url() }),
      environment: z.string(),
      components: z.array(NotificationComponent),
      event: z.object({
        sequence: z
          .number()
          .int()
          .describe("The run event's sequence number: events of a run sort by it."),
        actor: z.string().describe("Who (or what) made the change."),
        at: z.iso.datetime(),
      }),
    }),
  })
  .meta({
    title: "Bosun notification",
    description:
      "The body of a Bosun notification webhook, signed with the Standard Webhooks scheme (webhook-id, webhook-timestamp, webhook-signature).",
  });
export type NotificationPayload = z.infer<typeof NotificationPayload>;

/** The payload of one run event, from the run as it stands when the event is recorded. */
export function buildNotificationPayload(
  view: RunView,
  event: RunNotificationEvent,
  links: { runUrl: string; githubWebUrl: string },
): NotificationPayload {
  const repositoryUrl = `${links.githubWebUrl}/${view.repositoryFullName}`;
  return {
    type: event.type,
    timestamp: event.at.toISOString(),
    data: {
      version: NOTIFICATION_PAYLOAD_VERSION,
      run: {
        id: view.runId,
        kind: view.kind,
        status: event.status,
        url: links.runUrl,
        commit_sha: view.commitSha,
        trigger: view.trigger,
        triggered_by: view.triggeredBy,
        machine_user: view.machineUser,
        confirmed_by: view.confirmedBy ?? null,
        pull_request:
          view.pullRequestNumber === undefined
            ? null
            : {
                number: view.pullRequestNumber,
                url: `${repositoryUrl}/pull/${view.pullRequestNumber}`,
              },
      },
      repository: { full_name: view.repositoryFullName, url: repositoryUrl },
      environment: view.environment,
      components: view.components.map((component) => ({
        stack: component.stack,
        phase: component.phase,
        change: component.changeKind,
        delta: component.plan ? { ...component.plan.summary.counts } : null,
      })),
      event: { sequence: event.sequence, actor: event.actor, at: event.at.toISOString() },
    },
  };
}

/** `schema/notification.schema.json`: the payload as receivers get it. */
export function notificationJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(NotificationPayload, { io: "output" });
  return {
    $schema,
    $comment:
      "Generated from src/render/notification-payload.ts by `npx tsx scripts/generate-config-schema.ts`; do not edit.",
    ...rest,
  };
}
