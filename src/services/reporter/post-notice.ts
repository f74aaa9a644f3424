import type { GithubRepoWriter } from "../github-port.js";
import type { PullRequestStore } from "../pull-request-port.js";

/**
 * A one-off comment on a pull request Bosun does not plan (fork refused, waiting for a writer,
 * the tracked configuration broken): posted once per pull request and kind.
 */
export async function postNotice(
  deps: { pullRequests: Pick<PullRequestStore, "addNotice"> },
  api: GithubRepoWriter,
  pullRequest: { repositoryId: number; number: number },
  kind: string,
  body: string,
): Promise<void> {
  if (await deps.pullRequests.addNotice(pullRequest.repositoryId, pullRequest.number, kind)) {
    await api.createComment(pullRequest.number, body);
  }
}
