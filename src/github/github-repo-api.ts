import type { GithubRepoApi } from "../services/github-port.js";
import { branchRuleReads } from "./branch-rule-reads.js";
import type { CommitFileCache } from "./commit-file-cache.js";
import { deploymentWrites } from "./deployment-writes.js";
import { createGithubRepoCall } from "./github-repo-call.js";
import type { PermissionCache } from "./permission-cache.js";
import type { InstallationOctokit } from "./process-delivery.js";
import { pullRequestReads } from "./pull-request-reads.js";
import { repoContentReads } from "./repo-content-reads.js";
import { reportWrites } from "./report-writes.js";

/**
 * One repository through one installation's client: each method is one documented REST call
 * (plus pagination, plus the follow-up updates that carry check-run annotations beyond 50).
 * Failures are GithubApiErrors saying what was being done, with GitHub's status when it answered.
 */
export function createGithubRepoApi(
  octokit: InstallationOctokit,
  fullName: string,
  cache: PermissionCache,
  /** Files read at a full commit SHA, kept across jobs: such a read is made once per process. */
  files: CommitFileCache,
): GithubRepoApi {
  const call = createGithubRepoCall(octokit, fullName);
  return {
    fullName,
    ...repoContentReads(call, files),
    ...pullRequestReads(call, cache),
    ...branchRuleReads(call),
    ...reportWrites(call),
    ...deploymentWrites(call),
  };
}
