import type { CommandResult } from "../lib/command-result.js";
import type { ApiTokenEntry, ApiTokenStore } from "./api-token-port.js";
import { createApiToken } from "./create-api-token.js";

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
  const outcome = await createApiToken(store, input);
  if (outcome.kind === "refused") return refuse(outcome.reason);
  return {
    exitCode: 0,
    stdout: `${outcome.token}\n`,
    stderr: [
      `token ${input.name} (${outcome.id}) created: ${outcome.scope} on ${outcome.repositories.join(", ")}`,
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
