import type { Probot } from "probot";
import type { GithubGateway } from "../services/github-port.js";
import { type CommitFileCache, createCommitFileCache } from "./commit-file-cache.js";
import { createGithubRepoApi } from "./github-repo-api.js";
import { createPermissionCache } from "./permission-cache.js";

/** How long a collaborator's permission is trusted before GitHub is asked again. */
const DEFAULT_PERMISSION_TTL_MS = 60_000;

/**
 * Services' way to GitHub: a repository's API through its installation. `probot.auth` runs per
 * call; Probot caches installation tokens itself (until shortly before they expire), so that costs
 * a token request only when needed. One permission cache and one cache of files read at a commit
 * per gateway, shared by its repositories (each keyed by repository) and kept across jobs: the
 * composition root creates one gateway per process.
 */
export function createGithubGateway(
  probot: Probot,
  options: {
    permissionTtlMs?: number;
    /** Milliseconds since the epoch, for the permission cache; tests pass their own clock. */
    now?: () => number;
    /** Files read at a full commit SHA; a fresh bounded cache when not given. */
    commitFiles?: CommitFileCache;
  } = {},
): GithubGateway {
  const permissions = createPermissionCache({
    ttlMs: options.permissionTtlMs ?? DEFAULT_PERMISSION_TTL_MS,
    ...(options.now ? { now: options.now } : {}),
  });
  const commitFiles = options.commitFiles ?? createCommitFileCache();
  return async (installationId, repositoryFullName) =>
    createGithubRepoApi(
      await probot.auth(installationId),
      repositoryFullName,
      permissions,
      commitFiles,
    );
}
