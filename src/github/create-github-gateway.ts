import type { Probot } from "probot";
import type { GithubGateway } from "../services/github-port.js";
import { createGithubRepoApi } from "./github-repo-api.js";
import { createPermissionCache } from "./permission-cache.js";

/** How long a collaborator's permission is trusted before GitHub is asked again. */
const DEFAULT_PERMISSION_TTL_MS = 60_000;

/**
 * Services' way to GitHub: a repository's API through its installation. `probot.auth` runs per
 * call; Probot caches installation tokens itself (until shortly before they expire), so that costs
 * a token request only when needed. One permission cache per gateway, shared by its repositories.
 */
export function createGithubGateway(
  probot: Probot,
  options: {
    permissionTtlMs?: number;
    /** Milliseconds since the epoch, for the permission cache; tests pass their own clock. */
    now?: () => number;
  } = {},
): GithubGateway {
  const permissions = createPermissionCache({
    ttlMs: options.permissionTtlMs ?? DEFAULT_PERMISSION_TTL_MS,
    ...(options.now ? { now: options.now } : {}),
  });
  return async (installationId, repositoryFullName) =>
    createGithubRepoApi(await probot.auth(installationId), repositoryFullName, permissions);
}
