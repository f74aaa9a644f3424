import type { ApiTokenStore } from "./api-token-port.js";
import { asSeenBy, type StandingOf } from "./list-repository-api-tokens.js";

export type RevokeRepositoryApiTokenOutcome =
  { kind: "revoked"; name: string } | { kind: "refused"; status: 403 | 404 | 409; reason: string };

/**
 * An admin of `repository` revokes one of the tokens that cover it, on the pages: only a token
 * whose every repository they administer (listRepositoryApiTokens says why). Requests with it are
 * refused (401) from then on.
 */
export async function revokeRepositoryApiToken(
  store: ApiTokenStore,
  input: { repository: string; tokenId: string; standingOf: StandingOf; now: Date },
): Promise<RevokeRepositoryApiTokenOutcome> {
  const entry = (await store.list()).find(
    (token) => token.id === input.tokenId && token.repositories.includes(input.repository),
  );
  if (!entry) {
    return {
      kind: "refused",
      status: 404,
      reason: `no API token of ${input.repository} has this id`,
    };
  }
  const token = await asSeenBy(entry, input);
  const alreadyRevoked = {
    kind: "refused",
    status: 409,
    reason: `token ${token.name} was already revoked`,
  } as const;
  if (token.revokedAt) return alreadyRevoked;
  if (!token.revocable) {
    return {
      kind: "refused",
      status: 403,
      reason: `token ${token.name} also covers repositories you do not administer, and revoking it would cut their access too: an admin of every repository it covers can revoke it here, or an operator with bosun tokens revoke ${token.name}`,
    };
  }
  // Another admin may have revoked it since it was read.
  if (!(await store.revoke(token.id, input.now))) return alreadyRevoked;
  return { kind: "revoked", name: token.name };
}
