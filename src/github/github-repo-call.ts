import { GithubApiError } from "./github-api-error.js";
import type { InstallationOctokit } from "./process-delivery.js";
import { splitFullName } from "./split-full-name.js";

/** One repository's calls through one installation's client, and how their failures read. */
export interface GithubRepoCall {
  octokit: InstallationOctokit;
  fullName: string;
  owner: string;
  repo: string;
  /** Runs `call`; a failure becomes a GithubApiError saying what was being done, and where. */
  attempt: <T>(doing: string, call: () => Promise<T>) => Promise<T>;
}

export function createGithubRepoCall(
  octokit: InstallationOctokit,
  fullName: string,
): GithubRepoCall {
  const { owner, repo } = splitFullName(fullName);
  return {
    octokit,
    fullName,
    owner,
    repo,
    async attempt<T>(doing: string, call: () => Promise<T>): Promise<T> {
      try {
        return await call();
      } catch (error) {
        if (error instanceof GithubApiError) throw error;
        throw new GithubApiError(`${doing} in ${fullName}`, error);
      }
    },
  };
}
