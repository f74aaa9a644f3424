import { API_TOKEN_SCOPES, type ApiTokenScope } from "../domain/api-token-scope.js";
import { generateApiToken, hashApiToken } from "../lib/api-token-format.js";
import type { CommandResult } from "../lib/command-result.js";
import type { ApiTokenEntry, ApiTokenStore } from "./api-token-port.js";

/** A name people tell tokens apart by, and revoke one by: short, printable, no spaces. */
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const refuse = (message: string): CommandResult => ({
  exitCode: 1,
  stdout: "",
  stderr: `bosun: ${message}\n`,
});

/**
 * `bosun tokens create NAME --repo OWNER/REPO… [--scope read|trigger]`. The token is printed
 * once, alone on stdout, so `TOKEN=$(bosun tokens create … | tail -1)` captures it; what is said
 * about it goes to stderr. Only its hash is stored.
 */
export async function createTokenCommand(
  store: ApiTokenStore,
  input: { name: string; repositories: readonly string[]; scope: string; createdBy: string },
): Promise<CommandResult> {
  if (!TOKEN_NAME.test(input.name)) {
    return refuse(
      `token name ${JSON.stringify(input.name)} must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  if (!(API_TOKEN_SCOPES as readonly string[]).includes(input.scope)) {
    return refuse(
      `--scope must be one of ${API_TOKEN_SCOPES.join(", ")}, not ${JSON.stringify(input.scope)}`,
    );
  }
  const scope = input.scope as ApiTokenScope;
  const wanted = [...new Set(input.repositories)].sort();
  if (wanted.length === 0) return refuse("a token needs at least one --repo OWNER/REPO");
  const known = await store.repositoryIds(wanted);
  const unknown = wanted.filter((fullName) => !known.has(fullName));
  if (unknown.length > 0) {
    return refuse(
      `${unknown.length === 1 ? "repository" : "repositories"} ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not known to Bosun (is the App installed on ${unknown.length === 1 ? "it" : "them"}?); nothing was created`,
    );
  }
  // Names are how people revoke tokens: two live tokens of one name would make that ambiguous.
  const clash = (await store.list()).find(
    (token) => token.name === input.name && token.revokedAt === undefined,
  );
  if (clash) {
    return refuse(
      `a token named ${input.name} exists (${clash.id}); revoke it first or choose another name`,
    );
  }
  const token = generateApiToken();
  const id = await store.create({
    name: input.name,
    tokenHash: hashApiToken(token),
    scope,
    createdBy: input.createdBy,
    repositoryIds: wanted.map((fullName) => known.get(fullName)!),
  });
  return {
    exitCode: 0,
    stdout: `${token}\n`,
    stderr: [
      `token ${input.name} (${id}) created: ${scope} on ${wanted.join(", ")}`,
      "It is shown this once and stored only as a hash: keep it in your secret store now.",
      "",
    ].join("\n"),
  };
}

const COLUMNS = ["NAME", "ID", "SCOPE", "REPOSITORIES", "CREATED", "LAST USED", "REVOKED"];

/** Every token, revoked ones too (they explain a 401), one a line, tab-separated under a header. */
export async function listTokensCommand(store: ApiTokenStore): Promise<CommandResult> {
  const tokens = await store.list();
  const rows = tokens.map((token) =>
    [
      token.name,
      token.id,
      token.scope,
      token.repositories.join(",") || "-",
      `${token.createdAt.toISOString()} by ${token.createdBy}`,
      token.lastUsedAt?.toISOString() ?? "never",
      token.revokedAt?.toISOString() ?? "-",
    ].join("\t"),
  );
  return {
    exitCode: 0,
    stdout: tokens.length > 0 ? `${[COLUMNS.join("\t"), ...rows].join("\n")}\n` : "",
    stderr: tokens.length > 0 ? "" : "no API tokens\n",
  };
}

/** `bosun tokens revoke ID|NAME`: the next request with the token is answered 401. */
export async function revokeTokenCommand(
  store: ApiTokenStore,
  input: { token: string; now: Date },
): Promise<CommandResult> {
  const tokens = await store.list();
  const named = UUID.test(input.token)
    ? tokens.filter((token) => token.id === input.token.toLowerCase())
    : tokens.filter((token) => token.name === input.token);
  const live = named.filter((token) => token.revokedAt === undefined);
  if (named.length === 0) return refuse(`no API token has the id or name ${input.token}`);
  if (live.length === 0) {
    return refuse(`token ${describe(named[0]!)} was already revoked`);
  }
  const [token] = live;
  await store.revoke(token!.id, input.now);
  return { exitCode: 0, stdout: `token ${describe(token!)} revoked\n`, stderr: "" };
}

function describe(token: ApiTokenEntry): string {
  return `${token.name} (${token.id})`;
}
