import type { ApiTokenScope } from "../domain/api-token-scope.js";
import { API_TOKEN_PREFIX, hashApiToken, looksLikeApiToken } from "../lib/api-token-format.js";
import type { ApiTokenStore } from "./api-token-port.js";

/** Who a valid token speaks for: a machine user, on its repositories alone. */
export interface ApiTokenCaller {
  id: string;
  name: string;
  scope: ApiTokenScope;
  repositoryIds: readonly number[];
}

export type ApiTokenAuthentication =
  { kind: "valid"; token: ApiTokenCaller } | { kind: "invalid"; reason: string };

/** `last_used_at` is a hint for people pruning tokens: a write a minute is plenty. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * A bearer token presented to the HTTP API, looked up by its hash. The reasons say why a token is
 * refused and never repeat it.
 */
export async function authenticateApiToken(
  store: ApiTokenStore,
  presented: string,
  now: Date,
): Promise<ApiTokenAuthentication> {
  if (!looksLikeApiToken(presented)) {
    return {
      kind: "invalid",
      reason: `not a Bosun API token (they start with ${API_TOKEN_PREFIX}; create one with bosun tokens create)`,
    };
  }
  const token = await store.byHash(hashApiToken(presented));
  if (!token) return { kind: "invalid", reason: "this API token is not known to Bosun" };
  if (token.revokedAt) {
    return {
      kind: "invalid",
      reason: `this API token was revoked (${token.revokedAt.toISOString()})`,
    };
  }
  const since = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (!token.lastUsedAt || token.lastUsedAt < since) await store.markUsed(token.id, now, since);
  return {
    kind: "valid",
    token: {
      id: token.id,
      name: token.name,
      scope: token.scope,
      repositoryIds: token.repositoryIds,
    },
  };
}
