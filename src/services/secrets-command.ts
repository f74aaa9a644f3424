import { SECRET_SCOPES, type SecretScopeName } from "../domain/secret-scope.js";
import type { CommandResult } from "../lib/command-result.js";

export interface SecretAdmin {
  repositoryId(fullName: string): Promise<number | undefined>;
  set(input: {
    repositoryId: number;
    stackName: string;
    name: string;
    scope: SecretScopeName;
    value: string;
  }): Promise<void>;
  list(
    repositoryId: number,
    stackName: string,
  ): Promise<{ name: string; scope: SecretScopeName; updatedAt: Date }[]>;
  remove(repositoryId: number, stackName: string, name: string): Promise<boolean>;
}

/** An environment variable name the engine will receive the secret under. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Names Bosun sets itself for every engine run: a secret must not override them. */
const RESERVED = /^(PATH|HOME|TF_IN_AUTOMATION|TF_INPUT|TF_DATA_DIR|TF_CLI_ARGS.*|TF_HTTP_.*)$/;

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

/** `bosun secrets set REPO STACK NAME --scope S`: the value comes from stdin, never argv (ps shows argv). */
export async function setSecretCommand(
  admin: SecretAdmin,
  input: { repository: string; stack: string; name: string; scope: string; value: string },
): Promise<CommandResult> {
  if (!VARIABLE_NAME.test(input.name)) {
    return refuse(
      `secret name ${JSON.stringify(input.name)} must be an environment variable name (letters, digits, _)`,
    );
  }
  if (RESERVED.test(input.name))
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
    stackName: input.stack,
    name: input.name,
    scope: input.scope as SecretScopeName,
    value,
  });
  return {
    exitCode: 0,
    stdout: `secret ${input.name} set for ${input.repository}:${input.stack} (${input.scope})\n`,
    stderr: "",
  };
}

/** Names and scopes only: values are never printed. */
export async function listSecretsCommand(
  admin: SecretAdmin,
  input: { repository: string; stack: string },
): Promise<CommandResult> {
  const repositoryId = await resolveRepository(admin, input.repository);
  if (typeof repositoryId !== "number") return repositoryId;
  const secrets = await admin.list(repositoryId, input.stack);
  const lines = secrets.map(
    (secret) => `${secret.name}\t${secret.scope}\t${secret.updatedAt.toISOString()}`,
  );
  return { exitCode: 0, stdout: lines.length > 0 ? `${lines.join("\n")}\n` : "", stderr: "" };
}

export async function deleteSecretCommand(
  admin: SecretAdmin,
  input: { repository: string; stack: string; name: string },
): Promise<CommandResult> {
  const repositoryId = await resolveRepository(admin, input.repository);
  if (typeof repositoryId !== "number") return repositoryId;
  return (await admin.remove(repositoryId, input.stack, input.name))
    ? {
        exitCode: 0,
        stdout: `secret ${input.name} deleted from ${input.repository}:${input.stack}\n`,
        stderr: "",
      }
    : refuse(`no secret ${input.name} on ${input.repository}:${input.stack}`);
}
