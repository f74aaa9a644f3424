import { z } from "zod";
import { NOTIFICATION_EVENT_TYPES } from "../domain/notification-events.js";
import { nameSchema, uniqueList } from "./config-fields.js";

/** The name a webhook secret is stored under (`bosun notifications secret set`). */
export const NOTIFICATION_SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

const WebhookTarget = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
      .max(2000, "a webhook URL has at most 2000 characters")
      .describe(
        "Where the events are POSTed. A host that resolves to a loopback, private or link-local address is refused unless the operator sets BOSUN_NOTIFY_ALLOW_PRIVATE=true.",
      ),
    secret: z
      .string()
      .regex(
        NOTIFICATION_SECRET_NAME,
        "a secret's name is letters, digits and _, starting with a letter or _",
      )
      .describe(
        "The name of the Standard Webhooks signing secret (whsec_…), set by an operator with `bosun notifications secret set OWNER/REPO NAME`; never the value itself.",
      ),
  })
  .describe("A webhook signed with the Standard Webhooks scheme.");

const SlackTarget = z
  .strictObject({
    channel: z
      .string()
      .min(1)
      .max(80, "a Slack channel has at most 80 characters")
      .describe('The channel (such as "#infra", or its id) the server\'s Slack bot posts to.'),
  })
  .describe("A Slack channel: one message per run, updated in place as the run moves.");

export const NotificationTarget = z
  .strictObject({
    name: nameSchema("notification").describe("Unique name of the target, shown on the run page."),
    webhook: WebhookTarget.optional(),
    slack: SlackTarget.optional(),
    events: uniqueList(z.enum(NOTIFICATION_EVENT_TYPES), "event")
      .min(1, "list at least one event, or leave events out for all of them")
      .optional()
      .describe("The events this target is told of. Default: every event."),
    environments: uniqueList(nameSchema("environment"), "environment")
      .min(1, "list at least one environment, or leave environments out for all of them")
      .optional()
      .describe("Only runs in these environments. Default: every environment."),
  })
  .superRefine((target, ctx) => {
    if ((target.webhook === undefined) === (target.slack === undefined)) {
      ctx.addIssue({
        code: "custom",
        message:
          target.webhook === undefined
            ? "a notification target needs one of webhook or slack"
            : "a notification target has either webhook or slack, not both: make it two targets",
      });
    }
  })
  // The JSON Schema form of the refinement above, which toJSONSchema cannot see.
  .meta({
    description:
      "Who is told of this repository's runs: exactly one of webhook or slack. Read from the tracked branch only.",
    oneOf: [{ required: ["webhook"] }, { required: ["slack"] }],
  });
export type NotificationTarget = z.infer<typeof NotificationTarget>;

export const NotificationsConfig = z
  .array(NotificationTarget)
  .max(20, "at most 20 notification targets")
  .superRefine((targets, ctx) => {
    targets.forEach((target, index) => {
      const first = targets.findIndex((other) => other.name === target.name);
      if (first !== index) {
        ctx.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `notification "${target.name}" is already named at [${first}]`,
        });
      }
    });
  });
