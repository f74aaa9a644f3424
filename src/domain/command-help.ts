import { COMMAND_USAGE, commandKinds, type CommandKind } from "./command.js";

const EXPLANATION: Record<CommandKind, string> = {
  plan: "Plan again: every affected stack, or only those named; every affected environment, or only ENV.",
  apply:
    "Apply the reviewed plans: all of them, or those of the stacks named; in every environment, or only ENV.",
  discard: "Discard the unapplied plans, in every environment or only ENV.",
  replan:
    "Plan again with only the resources named, each as a resource address (`module.vpc.aws_subnet.a[0]`).",
  destroy: "Plan the destruction of STACK in ENV; it is applied with `/apply` like any plan.",
  promote: "Copy this pull request's changes into ENV, planned with ENV's own variables.",
  revert:
    "Open a changeset that restores what RUN (a run id) replaced; the last applied run when omitted.",
  help: "Show this list.",
};

/** For replies: every command with one line of explanation. */
export const HELP_TEXT = [
  "**Bosun commands** — write one as the first line of a comment:",
  "",
  "| command | what it does |",
  "| --- | --- |",
  ...commandKinds.map((kind) => `| \`${COMMAND_USAGE[kind]}\` | ${EXPLANATION[kind]} |`),
  "",
  "Only users with write permission may `/apply`, `/discard`, `/promote` or `/revert`. Stack and environment names are those of `bosun.yml`.",
].join("\n");
