import { z } from "zod";
import type { BranchRule, CheckOutcome } from "../domain/mergeable-verdict.js";
import type { GithubRepoApi } from "../services/github-port.js";
import type { GithubRepoCall } from "./github-repo-call.js";
import { BranchProtection, CheckRun, Rule, UNREADABLE_PROTECTION } from "./github-responses.js";
import { httpStatusOf } from "./http-status-of.js";

/**
 * What decides whether a `blocked` pull request is mergeable but for Bosun's own checks: the base
 * branch's classic protection and rulesets, and the check runs of the head.
 */
export function branchRuleReads({
  octokit,
  owner,
  repo,
  attempt,
}: GithubRepoCall): Pick<GithubRepoApi, "branchRules" | "checkRuns"> {
  return {
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
  };
}
