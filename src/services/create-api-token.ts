import { API_TOKEN_SCOPES, type ApiTokenScope } from "../domain/api-token-scope.js";
import { generateApiToken, hashApiToken } from "../lib/api-token-format.js";
import type { ApiTokenStore } from "./api-token-port.js";

/** A name people tell tokens apart by, and revoke one by: short, printable, no spaces. */
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export type CreateApiTokenOutcome =
  | {
      kind: "created";
      id: string;
      /** The token itself: for the one answer that shows it, never kept or logged. */
      token: string;
      scope: ApiTokenScope;
      /** The repositories' full names, sorted. */
      repositories: string[];
    }
  | { kind: "refused"; reason: string };

/**
 * A new API token (docs/design.md "Runs without a pull request"), by `bosun tokens create` and by
 * an admin on the pages: its rules are here once. Only the token's hash is stored; the caller shows
 * the token once.
 */
export async function createApiToken(
  store: ApiTokenStore,
  input: {
    name: string;
    repositories: readonly string[];
    /** As given: checked here against the scopes there are. */
    scope: string;
    createdBy: string;
  },
): Promise<CreateApiTokenOutcome> {
  const refuse = (reason: string): CreateApiTokenOutcome => ({ kind: "refused", reason });
  if (!TOKEN_NAME.test(input.name)) {
    return refuse(
      `token name ${JSON.stringify(input.name)} must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  if (!(API_TOKEN_SCOPES as readonly string[]).includes(input.scope)) {
    return refuse(
      `the scope must be one of ${API_TOKEN_SCOPES.join(", ")}, not ${JSON.stringify(input.scope)}`,
    );
  }
  const scope = input.scope as ApiTokenScope;
  const wanted = [...new Set(input.repositories)].sort();
  if (wanted.length === 0) return refuse("a token needs at least one repository");
  const known = await store.repositoryIds(wanted);
  const unknown = wanted.filter((fullName) => !known.has(fullName));
  if (unknown.length > 0) {
    return refuse(
      `${unknown.length === 1 ? "repository" : "repositories"} ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not known to Bosun (is the App installed on ${unknown.length === 1 ? "it" : "them"}?); nothing was created`,
    );
  }
  // Names are how people revoke tokens: two live tokens of one name would make that ambiguous.
  // The clash is not named by id: on the pages it may be another repository's token.
  const clash = (await store.list()).some(
    (token) => token.name === input.name && token.revokedAt === undefined,
  );
  if (clash) {
    return refuse(
      `a token named ${input.name} exists (names are unique among live tokens); choose another name, or revoke that token first`,
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
  return { kind: "created", id, token, scope, repositories: wanted };
}
