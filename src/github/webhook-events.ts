/** The webhook events Bosun acts on (docs/design.md "GitHub surface"), and why each is subscribed. */
export const HANDLED_EVENTS = [
  "pull_request",
  "pull_request_review",
  "issue_comment",
  "push",
  "check_run",
  "installation",
  "installation_repositories",
] as const;
export type HandledEvent = (typeof HANDLED_EVENTS)[number];

export function isHandledEvent(name: string): name is HandledEvent {
  return (HANDLED_EVENTS as readonly string[]).includes(name);
}
