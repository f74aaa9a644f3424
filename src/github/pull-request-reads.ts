import { z } from "zod";
import type { Review } from "../domain/evaluate-approval.js";
import type { GithubRepoApi, Permission, PullRequestState } from "../services/github-port.js";
import type { GithubRepoCall } from "./github-repo-call.js";
import {
  AssociatedPull,
  CollaboratorPermission,
  loginOf,
  PullRequest,
  PullRequestReview,
} from "./github-responses.js";
import { httpStatusOf } from "./http-status-of.js";
import type { PermissionCache } from "./permission-cache.js";

/**
 * A pull request, its reviews, who may do what in the repository, and which pull request a merge
 * came from.
 */
export function pullRequestReads(
  { octokit, fullName, owner, repo, attempt }: GithubRepoCall,
  cache: PermissionCache,
): Pick<GithubRepoApi, "permissionOf" | "pullRequest" | "reviews" | "mergedPullRequestOf"> {
  return {
    permissionOf: async (user) => {
      const cached = cache.get(fullName, user);
      if (cached) return cached;
      const permission = await attempt(`reading ${user}'s permission`, async () => {
        try {
          const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
            owner,
            repo,
            username: user,
          });
          const parsed = CollaboratorPermission.parse(data);
          const role = parsed.role_name;
          return role === "maintain" || role === "triage" ? role : parsed.permission;
        } catch (error) {
          // GitHub's answer for a login that does not exist (or that the installation cannot see).
          if (httpStatusOf(error) === 404) return "none" satisfies Permission;
          throw error;
        }
      });
      cache.set(fullName, user, permission);
      return permission;
    },

    pullRequest: (number) =>
      attempt(`reading pull request #${number}`, async (): Promise<PullRequestState> => {
        const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
        const pull = PullRequest.parse(data);
        return {
          number: pull.number,
          headSha: pull.head.sha,
          baseSha: pull.base.sha,
          baseRef: pull.base.ref,
          state: pull.state,
          merged: pull.merged,
          mergeableState: pull.mergeable_state,
          author: loginOf(pull.user),
          fork: pull.head.repo?.full_name !== pull.base.repo.full_name,
        };
      }),

    reviews: (number) =>
      attempt(`listing reviews of pull request #${number}`, async (): Promise<Review[]> => {
        const data = await octokit.paginate(octokit.rest.pulls.listReviews, {
          owner,
          repo,
          pull_number: number,
          per_page: 100,
        });
        return z
          .array(PullRequestReview)
          .parse(data)
          .map((review) => ({
            user: loginOf(review.user),
            state: review.state,
            commitId: review.commit_id,
            submittedAt: review.submitted_at ?? "",
          }));
      }),

    mergedPullRequestOf: (sha) =>
      attempt(`finding the pull request merged as ${sha}`, async () => {
        // https://docs.github.com/en/rest/commits/commits#list-pull-requests-associated-with-a-commit
        const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
          owner,
          repo,
          commit_sha: sha,
        });
        const pulls = z.array(AssociatedPull).parse(data);
        return pulls.find((pull) => pull.merged_at !== null && pull.merge_commit_sha === sha)
          ?.number;
      }),
  };
}
