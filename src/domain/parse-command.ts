/**
 * Comment commands (docs/design.md "GitHub surface"). A comment's first line is a command when it
 * starts with `/word`; quoted (`>`) and fenced (``` or ~~~) lines never count as that first line.
 * The line is split on whitespace, never handed to a shell, and every argument is checked against
 * a strict grammar: stack and environment names, resource addresses, run ids.
 */

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
const MAX_NAME_LENGTH = 64;
const MAX_ADDRESS_LENGTH = 1024;

const USAGE: Record<CommandKind, string> = {
  plan: "/plan [STACK…] [-e ENV]",
  apply: "/apply [STACK…] [-e ENV]",
  discard: "/discard [-e ENV]",
  replan: "/replan -target=ADDR… [-e ENV]",
  destroy: "/destroy STACK -e ENV",
  promote: "/promote ENV",
  revert: "/revert [RUN]",
  help: "/help",
};

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
  ...commandKinds.map((kind) => `| \`${USAGE[kind]}\` | ${EXPLANATION[kind]} |`),
  "",
  "Only users with write permission may `/apply`, `/discard`, `/promote` or `/revert`. Stack and environment names are those of `bosun.yml`.",
].join("\n");

/**
 * Reads the command in a comment, if any: `ignore` when the first line that counts does not
 * start with `/word`, `error` when it does but is not a command Bosun can run.
 */
export function parseCommand(body: string): CommandParse {
  const line = firstLine(body);
  if (line === undefined) return { kind: "ignore" };
  const tokens = line.split(/\s+/);
  const first = tokens[0] ?? "";
  const word = /^\/([A-Za-z][A-Za-z0-9_-]*)$/.exec(first)?.[1];
  if (word === undefined) {
    // "/path/to/file is missing" or "/ shrug" is prose. But "/plan;", "/аpply" (a Cyrillic а)
    // or one with an invisible character is meant as a command: silence would look like
    // Bosun ignoring it, or like it ran.
    if (!/^\/\p{L}[^/]*$/u.test(first)) return { kind: "ignore" };
    return error(`unknown command ${code(first)}${unusualCharacters(first)}`);
  }
  if (line.length > MAX_COMMAND_LENGTH) {
    return error(`the command is longer than ${MAX_COMMAND_LENGTH} characters`);
  }
  if (!isCommandKind(word)) {
    const lower = word.toLowerCase();
    return error(
      isCommandKind(lower)
        ? `unknown command ${code(`/${word}`)}: commands are lower case, as in \`/${lower}\``
        : `unknown command ${code(`/${word}`)}`,
    );
  }
  const args = readArguments(word, tokens.slice(1));
  if (typeof args === "string") return error(args);
  const command = buildCommand(word, args);
  return typeof command === "string" ? error(command) : { kind: "command", command };
}

/**
 * What makes a would-be command unreadable when it looks like one: punctuation glued to it, or
 * characters that are not ASCII letters (lookalikes, zero-width spaces), named by code point.
 */
function unusualCharacters(token: string): string {
  const unusual = [...new Set([...token.slice(1)].filter((char) => !/[A-Za-z0-9_-]/.test(char)))];
  const named = unusual
    .slice(0, 5)
    .map((char) => {
      const point = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
      return /^[\x21-\x7e]$/.test(char) ? `${code(char)} (${point})` : point;
    })
    .join(", ");
  return `: a command is / followed by ASCII letters, then a space before any argument, and this one has ${named}`;
}

function error(message: string): CommandParse {
  return { kind: "error", message };
}

function isCommandKind(word: string): word is CommandKind {
  return (commandKinds as readonly string[]).includes(word);
}

/**
 * The first line that is neither blank, nor quoted, nor inside a fenced code block (CommonMark:
 * a fence closes with the same character, at least as many times, and nothing else on the line;
 * an unclosed fence runs to the end).
 */
function firstLine(body: string): string | undefined {
  let fence: string | undefined;
  for (const raw of body.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (fence !== undefined) {
      const closing = /^(`{3,}|~{3,})$/.exec(line)?.[1];
      if (closing !== undefined && closing[0] === fence[0] && closing.length >= fence.length) {
        fence = undefined;
      }
      continue;
    }
    const opening = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (opening !== undefined) {
      fence = opening;
      continue;
    }
    if (line === "" || line.startsWith(">")) continue;
    return line;
  }
  return undefined;
}

interface Arguments {
  positionals: string[];
  environment: string | undefined;
  targets: string[];
}

type Flag = "environment" | "target";

const FLAGS: Record<CommandKind, readonly Flag[]> = {
  plan: ["environment"],
  apply: ["environment"],
  discard: ["environment"],
  replan: ["environment", "target"],
  destroy: ["environment"],
  promote: [],
  revert: [],
  help: [],
};

/** Which flag a token names, with its value when given as `flag=value`. */
function flagOf(token: string): { flag: Flag; inline: string | undefined } | undefined {
  const [name = "", ...rest] = token.split("=");
  const inline = rest.length > 0 ? rest.join("=") : undefined;
  if (name === "-e" || name === "--env") return { flag: "environment", inline };
  if (name === "-target") return { flag: "target", inline };
  return undefined;
}

/** Flags and positionals, or what is wrong with them. */
function readArguments(kind: CommandKind, tokens: readonly string[]): Arguments | string {
  const result: Arguments = { positionals: [], environment: undefined, targets: [] };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? "";
    if (token === "") continue;
    if (!token.startsWith("-")) {
      result.positionals.push(token);
      continue;
    }
    const found = flagOf(token);
    const spelled = token.split("=")[0] ?? token;
    if (found === undefined) {
      return `unknown flag ${code(spelled)} (usage: \`${USAGE[kind]}\`)`;
    }
    if (!FLAGS[kind].includes(found.flag)) {
      return `\`/${kind}\` does not take ${code(spelled)} (usage: \`${USAGE[kind]}\`)`;
    }
    let value = found.inline;
    if (value === undefined) {
      const next = tokens[i + 1];
      // A value that looks like a flag is a missing value, not an environment called "-x".
      if (next !== undefined && !next.startsWith("-")) {
        value = next;
        i++;
      }
    }
    switch (found.flag) {
      case "environment": {
        if (value === undefined || value === "") {
          return `${code(spelled)} needs an environment name (usage: \`${USAGE[kind]}\`)`;
        }
        if (result.environment !== undefined) {
          return `the environment is given twice (${code(result.environment)} and ${code(value)})`;
        }
        const problem = nameProblem("environment", value);
        if (problem !== undefined) return problem;
        result.environment = value;
        break;
      }
      case "target": {
        if (value === undefined || value === "") {
          return `\`-target\` needs a resource address, as in \`-target=module.vpc.aws_subnet.a\``;
        }
        const problem = addressProblem(value);
        if (problem !== undefined) return problem;
        if (!result.targets.includes(value)) result.targets.push(value);
        break;
      }
      default:
        return assertNever(found.flag, "flag");
    }
  }
  if (result.targets.length > MAX_COMMAND_ARGUMENTS) {
    return `at most ${MAX_COMMAND_ARGUMENTS} targets in one command (${result.targets.length} given)`;
  }
  return result;
}

function buildCommand(kind: CommandKind, args: Arguments): Command | string {
  const { positionals, environment, targets } = args;
  const usage = `usage: \`${USAGE[kind]}\``;
  switch (kind) {
    case "plan":
    case "apply": {
      const stacks = stackList(positionals);
      return typeof stacks === "string" ? stacks : { kind, stacks, environment };
    }
    case "discard":
      if (positionals.length > 0) return unexpected(kind, positionals);
      return { kind, environment };
    case "replan":
      if (positionals.length > 0) {
        return `unexpected ${code(positionals[0] ?? "")}: targets are given as \`-target=ADDR\` (${usage})`;
      }
      if (targets.length === 0) return `\`/replan\` needs at least one \`-target=ADDR\` (${usage})`;
      return { kind, targets, environment };
    case "destroy": {
      const [stack, ...extra] = positionals;
      if (stack === undefined) return `\`/destroy\` needs a stack (${usage})`;
      if (extra.length > 0) return unexpected(kind, extra);
      const problem = nameProblem("stack", stack);
      if (problem !== undefined) return problem;
      if (environment === undefined) return `\`/destroy\` needs an environment (${usage})`;
      return { kind, stack, environment };
    }
    case "promote": {
      const [target, ...extra] = positionals;
      if (target === undefined)
        return `\`/promote\` needs the environment to promote to (${usage})`;
      if (extra.length > 0) return unexpected(kind, extra);
      const problem = nameProblem("environment", target);
      return problem ?? { kind, environment: target };
    }
    case "revert": {
      const [run, ...extra] = positionals;
      if (extra.length > 0) return unexpected(kind, extra);
      if (run === undefined) return { kind, run: undefined };
      if (!UUID.test(run)) return `${code(run)} is not a run id (a UUID, as on the run's page)`;
      return { kind, run: run.toLowerCase() };
    }
    case "help":
      if (positionals.length > 0) return unexpected(kind, positionals);
      return { kind };
    default:
      return assertNever(kind, "command");
  }
}

function unexpected(kind: CommandKind, extra: readonly string[]): string {
  const shown = extra.slice(0, 3).map(code).join(", ");
  const more = extra.length > 3 ? ` and ${extra.length - 3} more` : "";
  return `unexpected ${shown}${more} (usage: \`${USAGE[kind]}\`)`;
}

function stackList(positionals: readonly string[]): string[] | string {
  const stacks = [...new Set(positionals)];
  if (stacks.length > MAX_COMMAND_ARGUMENTS) {
    return `at most ${MAX_COMMAND_ARGUMENTS} stacks in one command (${stacks.length} given)`;
  }
  for (const stack of stacks) {
    const problem = nameProblem("stack", stack);
    if (problem !== undefined) return problem;
  }
  return stacks;
}

/** bosun.yml's rule for stack and environment names (config/repo-config.ts). */
const NAME = /^[a-z0-9][a-z0-9_-]*$/;

function nameProblem(what: "stack" | "environment", value: string): string | undefined {
  if (value.length <= MAX_NAME_LENGTH && NAME.test(value)) return undefined;
  return `${code(value)} is not ${what === "environment" ? "an" : "a"} ${what} name: names are lowercase letters, digits, - and _, starting with a letter or digit`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A Terraform resource address: module steps, then optionally a (data) resource, each with an
 * optional index: `module.app["eu"].data.aws_ami.base[0]`. String keys are quoted and limited to
 * characters for_each keys commonly use: no spaces, quotes, backslashes, `$` or shell
 * metacharacters, so the address is inert wherever it ends up (argv, logs, Markdown). It starts
 * with a letter, so it can never pass for a flag (`-target=-var=x`).
 * https://opentofu.org/docs/cli/state/resource-addressing/
 */
const IDENT = "[A-Za-z_][A-Za-z0-9_-]*";
const INDEX = String.raw`\[(?:[0-9]+|"[A-Za-z0-9_.:/@+=,-]*")\]`;
const MODULE = String.raw`module\.${IDENT}(?:${INDEX})?`;
const RESOURCE = String.raw`(?:data\.${IDENT}|(?!(?:module|data)\.)${IDENT})\.${IDENT}(?:${INDEX})?`;
const ADDRESS = new RegExp(String.raw`^(?:${MODULE}\.)*(?:${MODULE}|${RESOURCE})$`);

function addressProblem(address: string): string | undefined {
  if (address.length <= MAX_ADDRESS_LENGTH && ADDRESS.test(address)) return undefined;
  return `${code(address)} is not a resource address (such as \`aws_instance.web[0]\` or \`module.app["eu"].aws_s3_bucket.logs\`)`;
}

const MAX_ECHO = 80;

/**
 * Comment text as a Markdown code span, shortened: inside one, `@team` mentions nobody and
 * `[x](y)` links nowhere. The fence is longer than any run of backticks in the text (CommonMark).
 */
function code(text: string): string {
  const shown = text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO - 1)}…` : text;
  const longest = Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = shown.startsWith("`") || shown.endsWith("`") ? " " : "";
  return `${fence}${pad}${shown}${pad}${fence}`;
}

/** lib/assert-never.ts's, kept here because the domain imports nothing outside itself. */
function assertNever(value: never, what: string): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
