import type { ApiTokenScope } from "../domain/api-token-scope.js";
import type { ApiTokenEntry, ApiTokenStore } from "./api-token-port.js";

/** What the viewer may do on a repository a token covers, as GitHub says. */
export type RepositoryStanding = "admin" | "reader" | "none";

/** Asks how the viewer stands on a repository, by full name. */
export type StandingOf = (repositoryFullName: string) => Promise<RepositoryStanding>;

/** An API token as an admin of one of its repositories sees it on the pages: never its value. */
export interface RepositoryApiToken {
  id: string;
  name: string;
  scope: ApiTokenScope;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | undefined;
  revokedAt: Date | undefined;
  /** The repositories it covers that the viewer can read (this one among them), sorted. */
  repositories: string[];
  /** How many more it covers: counted, not named, since the viewer cannot read them. */
  unseenRepositories: number;
  /** Live, and the viewer administers every repository it covers. */
  revocable: boolean;
}

/**
 * The API tokens that cover `repository`, newest first, for a viewer who administers it. A token
 * also covering repositories the viewer does not administer is not theirs to revoke: revoking it
 * would cut those repositories' access too, which is their admins' call (such tokens come from
 * `bosun tokens create`, and an operator revokes them there).
 */
export async function listRepositoryApiTokens(
  store: ApiTokenStore,
  input: { repository: string; standingOf: StandingOf },
): Promise<RepositoryApiToken[]> {
  const covering = (await store.list())
    .filter((token) => token.repositories.includes(input.repository))
    .reverse();
  return Promise.all(covering.map((token) => asSeenBy(token, input)));
}

/** One token covering `repository` as its admin sees it; exported for revoking by the same rule. */
export async function asSeenBy(
  token: ApiTokenEntry,
  input: { repository: string; standingOf: StandingOf },
): Promise<RepositoryApiToken> {
  const others = token.repositories.filter((fullName) => fullName !== input.repository);
  const standings = new Map(
    await Promise.all(
      others.map(async (fullName) => [fullName, await input.standingOf(fullName)] as const),
    ),
  );
  const seen = [...standings.values()];
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    createdBy: token.createdBy,
    createdAt: token.createdAt,
    lastUsedAt: token.lastUsedAt,
    revokedAt: token.revokedAt,
    repositories: token.repositories.filter(
      (fullName) => fullName === input.repository || standings.get(fullName) !== "none",
    ),
    unseenRepositories: seen.filter((standing) => standing === "none").length,
    revocable: token.revokedAt === undefined && seen.every((standing) => standing === "admin"),
  };
}
