import { z } from "zod";
import type { Review } from "../domain/evaluate-approval.js";
import type { BranchRule, CheckOutcome } from "../domain/mergeable-verdict.js";
import { cutCodePoints } from "../render/limits.js";
import type {
  Comparison,
  GithubRepoApi,
  Permission,
  PullRequestState,
} from "../services/github-port.js";
import { type CheckRunRequests, checkRunRequests } from "./check-run-requests.js";
import type { CommitFileCache } from "./commit-file-cache.js";
import { downloadTarball } from "./download-tarball.js";
import { GithubApiError } from "./github-api-error.js";
import {
  AssociatedPull,
  BranchProtection,
  CheckRun,
  CollaboratorPermission,
  CommitComparison,
  COMPARE_FILE_LIMIT,
  Created,
  DEPLOYMENT_STATUS_DESCRIPTION_LIMIT,
  DeploymentRefused,
  loginOf,
  PullRequest,
  PullRequestReview,
  Rule,
  UNREADABLE_PROTECTION,
} from "./github-responses.js";
import { httpStatusOf } from "./http-status-of.js";
import type { PermissionCache } from "./permission-cache.js";
import type { InstallationOctokit } from "./process-delivery.js";
import { splitFullName } from "./split-full-name.js";

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
  const { owner, repo } = splitFullName(fullName);

  async function attempt<T>(doing: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof GithubApiError) throw error;
      throw new GithubApiError(`${doing} in ${fullName}`, error);
    }
  }

  /** GitHub appends the annotations of each update to those the run already has. */
  async function addAnnotations(checkRunId: number, requests: CheckRunRequests) {
    for (const batch of requests.annotationBatches) {
      await attempt(`adding annotations to check run ${checkRunId}`, () =>
        octokit.rest.checks.update({ owner, repo, check_run_id: checkRunId, ...batch }),
      );
    }
  }

  return {
    fullName,

    readFile: async (path, ref) => {
      const remembered = files.get(fullName, path, ref);
      if (remembered.found) return remembered.content;
      const read = await attempt(`reading ${path} at ${ref}`, async () => {
        try {
          // The raw media type returns the file itself, also above 1 MB, where the JSON form
          // has empty `content` and `encoding: "none"`:
          // https://docs.github.com/en/rest/repos/contents#get-repository-content
          const { data } = await octokit.rest.repos.getContent({
            owner,
            repo,
            path,
            ref,
            mediaType: { format: "raw" },
          });
          const body: unknown = data;
          if (typeof body === "string") return { content: body, settled: true };
          if (body instanceof ArrayBuffer)
            return { content: Buffer.from(body).toString("utf8"), settled: true };
          // A directory is listed as JSON even when raw is asked for.
          throw new Error("not a file");
        } catch (error) {
          // Also what GitHub says for a ref that does not exist: the file is not there either.
          // That answer is not kept: a commit GitHub does not show yet may show in a moment.
          if (httpStatusOf(error) === 404)
            return { content: undefined, settled: !isMissingCommit(error) };
          throw error;
        }
      });
      // Only a full commit SHA is kept (the cache ignores anything else): a branch moves.
      if (read.settled) files.set(fullName, path, ref, read.content);
      return read.content;
    },

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

    compare: (base, head) =>
      attempt(`comparing ${base}...${head}`, async (): Promise<Comparison> => {
        // No paging parameters: "The list of changed files is only shown on the first page of
        // results, and it includes up to 300 changed files for the entire comparison"
        // (https://docs.github.com/en/rest/commits/commits#compare-two-commits); later pages
        // page through commits only (https://github.com/github/rest-api-description/issues/3552).
        const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
          owner,
          repo,
          basehead: `${base}...${head}`,
        });
        const parsed = CommitComparison.parse(data);
        const files = parsed.files ?? [];
        return {
          files: files.map((file) => ({
            filename: file.filename,
            previous_filename: file.previous_filename,
            status: file.status,
          })),
          // GitHub says nothing when it cuts the list; exactly 300 files counts as cut.
          truncated: parsed.files === undefined || files.length >= COMPARE_FILE_LIMIT,
          behindBy: parsed.behind_by,
          mergeBaseSha: parsed.merge_base_commit.sha,
        };
      }),

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

    branchRules: (branch) =>
      attempt(`reading the rules of branch ${branch}`, async (): Promise<BranchRule[]> => {
        const rules: BranchRule[] = [];
        try {
          const { data } = await octokit.rest.repos.getBranchProtection({ owner, repo, branch });
          const protection = BranchProtection.parse(data);
          const checks = protection.required_status_checks;
          if (checks) {
            const contexts = [
              ...checks.contexts,
              ...(checks.checks ?? []).map((check) => check.context),
            ];
            rules.push({ type: "required_status_checks", contexts: [...new Set(contexts)] });
          }
          const reviews = protection.required_pull_request_reviews;
          if (reviews) {
            rules.push({
              type: "pull_request",
              requiredApprovals: reviews.required_approving_review_count ?? 0,
              othersRequired:
                reviews.require_code_owner_reviews === true ||
                reviews.require_last_push_approval === true,
            });
          }
          if (protection.required_conversation_resolution?.enabled)
            rules.push({ type: "required_conversation_resolution" });
          if (protection.required_signatures?.enabled) rules.push({ type: "required_signatures" });
          if (protection.lock_branch?.enabled) rules.push({ type: "lock_branch" });
        } catch (error) {
          const status = httpStatusOf(error);
          // 404: "Branch not protected". Reading protection needs the Administration
          // permission; without it (403), what protection asks is unknown.
          if (status === 403) rules.push({ type: UNREADABLE_PROTECTION });
          else if (status !== 404) throw error;
        }
        const listed = await octokit.paginate(octokit.rest.repos.getBranchRules, {
          owner,
          repo,
          branch,
          per_page: 100,
        });
        for (const rule of z.array(Rule).parse(listed)) {
          const parameters = rule.parameters ?? {};
          if (rule.type === "required_status_checks") {
            rules.push({
              type: rule.type,
              contexts: (parameters.required_status_checks ?? []).map((check) => check.context),
            });
          } else if (rule.type === "pull_request") {
            rules.push({
              type: rule.type,
              requiredApprovals: parameters.required_approving_review_count ?? 0,
              othersRequired:
                parameters.require_code_owner_review === true ||
                parameters.require_last_push_approval === true ||
                parameters.required_review_thread_resolution === true,
            });
          } else rules.push({ type: rule.type });
        }
        return rules;
      }),

    checkRuns: (sha) =>
      attempt(`listing the check runs of ${sha}`, async (): Promise<CheckOutcome[]> => {
        const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
          owner,
          repo,
          ref: sha,
          per_page: 100,
        });
        return z.array(CheckRun).parse(runs);
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

    createCheckRun: async (headSha, name, content, externalId) => {
      const doing = `creating check run "${name}" on ${headSha}`;
      const requests = await attempt(doing, async () => checkRunRequests(content));
      const id = await attempt(doing, async () => {
        const { data } = await octokit.rest.checks.create({
          owner,
          repo,
          name,
          head_sha: headSha,
          external_id: externalId,
          ...requests.fields,
        });
        return Created.parse(data).id;
      });
      await addAnnotations(id, requests);
      return id;
    },

    updateCheckRun: async (checkRunId, content) => {
      const doing = `updating check run ${checkRunId}`;
      const requests = await attempt(doing, async () => checkRunRequests(content));
      await attempt(doing, () =>
        octokit.rest.checks.update({ owner, repo, check_run_id: checkRunId, ...requests.fields }),
      );
      await addAnnotations(checkRunId, requests);
    },

    createComment: (issueNumber, body) =>
      attempt(`commenting on #${issueNumber}`, async () => {
        const { data } = await octokit.rest.issues.createComment({
          owner,
          repo,
          issue_number: issueNumber,
          body,
        });
        return Created.parse(data).id;
      }),

    updateComment: (commentId, body) =>
      attempt(`updating comment ${commentId}`, async () => {
        await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body });
      }),

    react: (commentId, reaction) =>
      attempt(`reacting ${reaction} to comment ${commentId}`, async () => {
        // 200 when the reaction was already there, 201 when added: both fine.
        await octokit.rest.reactions.createForIssueComment({
          owner,
          repo,
          comment_id: commentId,
          content: reaction,
        });
      }),

    createDeployment: async (input) => {
      const doing = `creating a deployment of ${input.ref} to ${input.environment}`;
      const response = await attempt(doing, () =>
        octokit.rest.repos.createDeployment({
          owner,
          repo,
          ref: input.ref,
          environment: input.environment,
          production_environment: input.production,
          transient_environment: false,
          description: input.description,
          payload: input.payload,
          // Bosun deploys the exact commit it applied: no merge of the default branch into it,
          // and no wait for commit statuses, which by default must all be green, Bosun's own
          // pending check included
          // (https://docs.github.com/en/rest/deployments/deployments#create-a-deployment).
          auto_merge: false,
          required_contexts: [],
        }),
      );
      // 202: GitHub merged (or failed to merge) the default branch instead of deploying.
      if (response.status === 202) {
        const refused = DeploymentRefused.safeParse(response.data);
        const message = refused.success ? refused.data.message : undefined;
        const cause = new Error(message ?? "GitHub answered 202 without a message");
        throw new GithubApiError(`${doing} in ${fullName}`, cause, 202);
      }
      return attempt(doing, async () => Created.parse(response.data).id);
    },

    setDeploymentStatus: (deploymentId, state, input) =>
      attempt(`setting deployment ${deploymentId} to ${state}`, async () => {
        await octokit.rest.repos.createDeploymentStatus({
          owner,
          repo,
          deployment_id: deploymentId,
          state,
          log_url: input.logUrl,
          description: truncateDescription(input.description),
          environment: input.environment,
          // Earlier successful deployments of the environment become inactive, so GitHub shows
          // only this one as active. GitHub's docs word it as "all prior non-transient,
          // non-production environment deployments" (it is also their default):
          // https://docs.github.com/en/rest/deployments/statuses#create-a-deployment-status
          ...(state === "success" ? { auto_inactive: true } : {}),
        });
      }),

    tarball: (sha) => downloadTarball(octokit, fullName, sha),
  };
}

/**
 * GitHub's 404 for a ref it does not know ("No commit found for the ref …"), as opposed to its
 * "Not Found" for a path that is not in the commit.
 */
const MissingCommit = z.object({
  response: z.object({ data: z.object({ message: z.string().regex(/no commit found/i) }) }),
});
function isMissingCommit(error: unknown): boolean {
  return MissingCommit.safeParse(error).success;
}

function truncateDescription(description: string): string {
  if (description.length <= DEPLOYMENT_STATUS_DESCRIPTION_LIMIT) return description;
  return `${cutCodePoints(description, DEPLOYMENT_STATUS_DESCRIPTION_LIMIT - 1, "utf16-units")}…`;
}
