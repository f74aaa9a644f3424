import type { NotificationPayload } from "./notification-payload.js";

/** Slack's mrkdwn needs only these three escaped (api.slack.com/reference/surfaces/formatting). */
const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const STATUS_EMOJI: Record<NotificationPayload["data"]["run"]["status"], string> = {
  PLANNING: ":hourglass_flowing_sand:",
  PLANNED: ":raised_hand:",
  APPLYING: ":gear:",
  SUCCEEDED: ":white_check_mark:",
  PARTIALLY_FAILED: ":warning:",
  FAILED: ":x:",
  DISCARDED: ":wastebasket:",
};

function delta(component: NotificationPayload["data"]["components"][number]): string {
  if (!component.delta) return component.phase.toLowerCase();
  const { add, change, destroy } = component.delta;
  return `+${add} ~${change} -${destroy} · ${component.phase.toLowerCase()}`;
}

/**
 * The one Slack message of a run (docs/design.md "Notifications"), as the latest event has it:
 * status, environment, components with their deltas, who, and buttons to the run page and the
 * pull request. Built from the payload, so it shows nothing a webhook would not.
 */
export function renderSlackMessage(payload: NotificationPayload): {
  text: string;
  blocks: unknown[];
} {
  const { run, repository, environment, components } = payload.data;
  const title = `${STATUS_EMOJI[run.status]} ${escape(repository.full_name)} · ${escape(environment)} · ${run.kind} run ${run.status.toLowerCase().replace("_", " ")}`;
  const who = run.confirmed_by
    ? `started by ${escape(run.triggered_by)}, confirmed by ${escape(run.confirmed_by)}`
    : `started by ${escape(run.triggered_by)}`;
  const buttons = [
    { type: "button", text: { type: "plain_text", text: "Run page" }, url: run.url },
    ...(run.pull_request
      ? [
          {
            type: "button",
            text: { type: "plain_text", text: `Pull request #${run.pull_request.number}` },
            url: run.pull_request.url,
          },
        ]
      : []),
  ];
  return {
    text: `${repository.full_name} ${environment}: ${run.kind} run ${run.status}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${title}*` } },
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text:
            components.length === 0
              ? "_no components_"
              : components
                  .slice(0, 40)
                  .map((component) => `• \`${escape(component.stack)}\` ${delta(component)}`)
                  .join("\n"),
        },
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `${who} · \`${run.commit_sha.slice(0, 7)}\` · last: ${payload.type} by ${escape(payload.data.event.actor)}`,
          },
        ],
      },
      { type: "actions", elements: buttons },
    ],
  };
}

/** What is also said in the message's thread: a failure, or a run that waits for approval. */
export function slackThreadNote(payload: NotificationPayload): string | undefined {
  switch (payload.type) {
    case "run.failed":
      return `:x: The run ${payload.data.run.status === "PARTIALLY_FAILED" ? "partially failed" : "failed"}: ${payload.data.run.url}`;
    case "run.unconfirmed":
      return `:raised_hand: The plan waits for approval: ${payload.data.run.url}`;
    default:
      return undefined;
  }
}
