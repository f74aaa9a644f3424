import { addressProblem, nameProblem, RUN_ID } from "./command-argument-rules.js";
import { COMMAND_USAGE, MAX_COMMAND_ARGUMENTS, type Command, type CommandKind } from "./command.js";
import { codeSpan } from "./comment-code-span.js";

/**
 * The command `kind` with its arguments (the tokens after `/kind`), or what is wrong with them:
 * flags the command takes, then the positionals it expects, each checked against its grammar.
 */
export function buildCommand(kind: CommandKind, tokens: readonly string[]): Command | string {
  const args = readArguments(kind, tokens);
  return typeof args === "string" ? args : commandFrom(kind, args);
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
      return `unknown flag ${codeSpan(spelled)} (usage: \`${COMMAND_USAGE[kind]}\`)`;
    }
    if (!FLAGS[kind].includes(found.flag)) {
      return `\`/${kind}\` does not take ${codeSpan(spelled)} (usage: \`${COMMAND_USAGE[kind]}\`)`;
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
          return `${codeSpan(spelled)} needs an environment name (usage: \`${COMMAND_USAGE[kind]}\`)`;
        }
        if (result.environment !== undefined) {
          return `the environment is given twice (${codeSpan(result.environment)} and ${codeSpan(value)})`;
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

function commandFrom(kind: CommandKind, args: Arguments): Command | string {
  const { positionals, environment, targets } = args;
  const usage = `usage: \`${COMMAND_USAGE[kind]}\``;
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
        return `unexpected ${codeSpan(positionals[0] ?? "")}: targets are given as \`-target=ADDR\` (${usage})`;
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
      if (!RUN_ID.test(run))
        return `${codeSpan(run)} is not a run id (a UUID, as on the run's page)`;
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
  const shown = extra.slice(0, 3).map(codeSpan).join(", ");
  const more = extra.length > 3 ? ` and ${extra.length - 3} more` : "";
  return `unexpected ${shown}${more} (usage: \`${COMMAND_USAGE[kind]}\`)`;
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

/** lib/assert-never.ts's, kept here because the domain imports nothing outside itself. */
function assertNever(value: never, what: string): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
