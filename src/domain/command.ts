/** The comment commands Bosun runs (docs/design.md "GitHub surface"), and their limits. */

export const commandKinds = [
  "plan",
  "apply",
  "discard",
  "replan",
  "destroy",
  "promote",
  "revert",
  "help",
] as const;
export type CommandKind = (typeof commandKinds)[number];

export type Command =
  /** Plan the PR's stacks again (all affected, or those named), in every environment or ENV. */
  | { kind: "plan"; stacks: string[]; environment: string | undefined }
  /** Confirm the unconfirmed runs (of the stacks named, in ENV). */
  | { kind: "apply"; stacks: string[]; environment: string | undefined }
  | { kind: "discard"; environment: string | undefined }
  /** A targeted plan: `targets` are resource addresses, passed as `-target=ADDR`. */
  | { kind: "replan"; targets: string[]; environment: string | undefined }
  | { kind: "destroy"; stack: string; environment: string }
  | { kind: "promote"; environment: string }
  /** Revert the run named, a UUID in lower case, or the PR's last applied run. */
  | { kind: "revert"; run: string | undefined }
  | { kind: "help" };

export type CommandParse =
  | { kind: "ignore" }
  | { kind: "command"; command: Command }
  /**
   * A command that cannot run, saying what was wrong; the caller replies with it and the help.
   * Markdown: text from the comment appears only inside code spans, so it cannot mention anyone
   * or make a link.
   */
  | { kind: "error"; message: string };

/** Stacks or targets in one command: more is a mistake, or an attempt to make Bosun work hard. */
export const MAX_COMMAND_ARGUMENTS = 50;
/** Characters on the command line. */
export const MAX_COMMAND_LENGTH = 4096;

/** How each command is written, for the help and for replies to a bad one. */
export const COMMAND_USAGE: Record<CommandKind, string> = {
  plan: "/plan [STACK…] [-e ENV]",
  apply: "/apply [STACK…] [-e ENV]",
  discard: "/discard [-e ENV]",
  replan: "/replan -target=ADDR… [-e ENV]",
  destroy: "/destroy STACK -e ENV",
  promote: "/promote ENV",
  revert: "/revert [RUN]",
  help: "/help",
};

export function isCommandKind(word: string): word is CommandKind {
  return (commandKinds as readonly string[]).includes(word);
}
