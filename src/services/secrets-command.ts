import { nameSchema } from "../config/config-fields.js";
import { RESERVED_ENGINE_VARIABLES } from "../domain/reserved-engine-variables.js";
import { SECRET_SCOPES, type SecretScopeName } from "../domain/secret-scope.js";
import type { CommandResult } from "../lib/command-result.js";

/** A secret's place: its stack, and its environment (undefined: stack-wide). */
interface SecretTarget {
  stack: string;
  environment: string | undefined;
}

export interface SecretAdmin {
  repositoryId(fullName: string): Promise<number | undefined>;
  set(input: {
    repositoryId: number;
    stackName: string;
    /** Undefined (or left out): stack-wide. */
    environment?: string | undefined;
    name: string;
    scope: SecretScopeName;
    value: string;
  }): Promise<void>;
  /** With an environment: its own secrets and the stack-wide ones; without: all of the stack's. */
  list(
    repositoryId: number,
    stackName: string,
    environment: string | undefined,
  ): Promise<
    { name: string; environment: string | undefined; scope: SecretScopeName; updatedAt: Date }[]
  >;
  remove(
    repositoryId: number,
    stackName: string,
    environment: string | undefined,
    name: string,
  ): Promise<boolean>;
}

const StackName = nameSchema("stack");
const EnvironmentName = nameSchema("environment");

/**
 * `STACK` or `STACK@ENV` as the operator typed it, with the names bosun.yml allows: a secret
 * under any other name could never reach an engine.
 */
function parseSecretTarget(text: string): SecretTarget | { problem: string } {
  const at = text.indexOf("@");
  const stack = at === -1 ? text : text.slice(0, at);
  const environment = at === -1 ? undefined : text.slice(at + 1);
  const stackName = StackName.safeParse(stack);
  if (!stackName.success) {
    return {
      problem: `${JSON.stringify(stack)} is not a stack name: ${stackName.error.issues[0]?.message} (write STACK or STACK@ENVIRONMENT)`,
    };
  }
  if (environment === undefined) return { stack, environment };
  const environmentName = EnvironmentName.safeParse(environment);
  if (!environmentName.success) {
    return {
      problem: `${JSON.stringify(environment)} is not an environment name: ${environmentName.error.issues[0]?.message} (write STACK or STACK@ENVIRONMENT)`,
    };
  }
  return { stack, environment };
}

/** Where a secret lives, as the commands print it. */
const describeTarget = (repository: string, target: SecretTarget) =>
  target.environment === undefined
    ? `${repository}:${target.stack} (all environments)`
    : `${repository}:${target.stack}@${target.environment}`;

/** The environment column of `bosun secrets list`: `*` for a stack-wide secret. */
const ALL_ENVIRONMENTS = "*";

/** An environment variable name the engine will receive the secret under. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

const refuse = (message: string): CommandResult => ({
  exitCode: 1,
  stdout: "",
  stderr: `bosun: ${message}\n`,
});

async function resolveRepository(
  admin: SecretAdmin,
  fullName: string,
): Promise<number | CommandResult> {
  const id = await admin.repositoryId(fullName);
  return id ?? refuse(`repository ${fullName} is not known to Bosun (is the App installed on it?)`);
}

/**
 * `bosun secrets set REPO STACK[@ENV] NAME --scope S`: the value comes from stdin, never argv (ps
 * shows argv).
 */
export async function setSecretCommand(
  admin: SecretAdmin,
  input: { repository: string; stack: string; name: string; scope: string; value: string },
): Promise<CommandResult> {
  const target = parseSecretTarget(input.stack);
  if ("problem" in target) return refuse(target.problem);
  if (!VARIABLE_NAME.test(input.name)) {
    return refuse(
      `secret name ${JSON.stringify(input.name)} must be an environment variable name (letters, digits, _)`,
    );
  }
  if (RESERVED_ENGINE_VARIABLES.test(input.name))
    return refuse(`${input.name} is set by Bosun for every engine run; choose another name`);
  if (!(SECRET_SCOPES as readonly string[]).includes(input.scope)) {
    return refuse(
      `--scope must be one of ${SECRET_SCOPES.join(", ")}, not ${JSON.stringify(input.scope)}`,
    );
  }
  const value = input.value.replace(/\r?\n$/, "");
  if (value === "") return refuse("the secret value read from stdin is empty");
  const repositoryId = await resolveRepository(admin, input.repository);
  if (typeof repositoryId !== "number") return repositoryId;
  await admin.set({
    repositoryId,
    stackName: target.stack,
    environment: target.environment,
    name: input.name,
    scope: input.scope as SecretScopeName,
    value,
  });
  return {
    exitCode: 0,
    stdout: `secret ${input.name} set for ${describeTarget(input.repository, target)} (${input.scope})\n`,
    stderr: "",
  };
}

/**
 * One line per secret, tab-separated: name, scope, environment (`*`: stack-wide) and when it was
 * last set. Values are never printed.
 */
export async function listSecretsCommand(
  admin: SecretAdmin,
  input: { repository: string; stack: string },
): Promise<CommandResult> {
  const target = parseSecretTarget(input.stack);
  if ("problem" in target) return refuse(target.problem);
  const repositoryId = await resolveRepository(admin, input.repository);
  if (typeof repositoryId !== "number") return repositoryId;
  const secrets = await admin.list(repositoryId, target.stack, target.environment);
  const lines = secrets.map((secret) =>
    [
      secret.name,
      secret.scope,
      secret.environment ?? ALL_ENVIRONMENTS,
      secret.updatedAt.toISOString(),
    ].join("\t"),
  );
  return { exitCode: 0, stdout: lines.length > 0 ? `${lines.join("\n")}\n` : "", stderr: "" };
}

/** Deletes exactly the secret named: `STACK` the stack-wide one, `STACK@ENV` the environment's. */
export async function deleteSecretCommand(
  admin: SecretAdmin,
  input: { repository: string; stack: string; name: string },
): Promise<CommandResult> {
  const target = parseSecretTarget(input.stack);
  if ("problem" in target) return refuse(target.problem);
  const repositoryId = await resolveRepository(admin, input.repository);
  if (typeof repositoryId !== "number") return repositoryId;
  const where = describeTarget(input.repository, target);
  return (await admin.remove(repositoryId, target.stack, target.environment, input.name))
    ? { exitCode: 0, stdout: `secret ${input.name} deleted from ${where}\n`, stderr: "" }
    : refuse(`no secret ${input.name} on ${where}`);
}
