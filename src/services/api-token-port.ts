import type { ApiTokenScope } from "../domain/api-token-scope.js";

/** A token as `bosun tokens list` shows it: never its value, which is not kept. */
export interface ApiTokenEntry {
  id: string;
  name: string;
  scope: ApiTokenScope;
  /** The repositories' full names, sorted. */
  repositories: string[];
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | undefined;
  revokedAt: Date | undefined;
}

/** What a presented token's hash finds: enough to authorize a request. */
export interface ApiTokenGrant {
  id: string;
  name: string;
  scope: ApiTokenScope;
  repositoryIds: number[];
  lastUsedAt: Date | undefined;
  revokedAt: Date | undefined;
}

/**
 * API tokens (src/store/api-token-repository.ts): created and revoked by the CLI and by a
 * repository's admin on its tokens page, read by the HTTP API.
 */
export interface ApiTokenStore {
  /** The ids of the repositories Bosun knows (installed, not removed) among these full names. */
  repositoryIds(fullNames: readonly string[]): Promise<Map<string, number>>;
  create(input: {
    name: string;
    tokenHash: string;
    scope: ApiTokenScope;
    createdBy: string;
    repositoryIds: readonly number[];
  }): Promise<string>;
  /** Every token, revoked ones included, oldest first. */
  list(): Promise<ApiTokenEntry[]>;
  byHash(tokenHash: string): Promise<ApiTokenGrant | undefined>;
  /** Records a use at `at`, unless one was recorded after `unlessUsedSince`. */
  markUsed(id: string, at: Date, unlessUsedSince: Date): Promise<void>;
  /** False when the token does not exist or was already revoked. */
  revoke(id: string, at: Date): Promise<boolean>;
}
