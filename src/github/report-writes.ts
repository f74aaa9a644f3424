import type { GithubRepoApi } from "../services/github-port.js";
import { type CheckRunRequests, checkRunRequests } from "./check-run-requests.js";
import type { GithubRepoCall } from "./github-repo-call.js";
import { Created, CreatedIssue } from "./github-responses.js";

/** Check runs (with annotations beyond GitHub's 50 per request), comments, reactions and issues. */
export function reportWrites({
  octokit,
  owner,
  repo,
  attempt,
}: GithubRepoCall): Pick<
  GithubRepoApi,
  | "createCheckRun"
  | "updateCheckRun"
  | "createComment"
  | "updateComment"
  | "react"
  | "createIssue"
  | "updateIssue"
> {
  /** GitHub appends the annotations of each update to those the run already has. */
  async function addAnnotations(checkRunId: number, requests: CheckRunRequests) {
    for (const batch of requests.annotationBatches) {
      await attempt(`adding annotations to check run ${checkRunId}`, () =>
        octokit.rest.checks.update({ owner, repo, check_run_id: checkRunId, ...batch }),
      );
    }
  }

  return {
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

    createIssue: (title, body) =>
      attempt(`opening issue "${title}"`, async () => {
        const { data } = await octokit.rest.issues.create({ owner, repo, title, body });
        return CreatedIssue.parse(data).number;
      }),

    updateIssue: (issueNumber, change) =>
      attempt(`updating issue #${issueNumber}`, async () => {
        await octokit.rest.issues.update({
          owner,
          repo,
          issue_number: issueNumber,
          ...(change.title !== undefined ? { title: change.title } : {}),
          ...(change.body !== undefined ? { body: change.body } : {}),
          ...(change.state !== undefined ? { state: change.state } : {}),
          ...(change.stateReason !== undefined ? { state_reason: change.stateReason } : {}),
        });
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
  };
}
