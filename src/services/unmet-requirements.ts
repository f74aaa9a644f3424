import { type ApprovalFacts, reviewersToCheck, type Review } from "../domain/evaluate-approval.js";
import {
  type ApplyRequirement,
  evaluateRequirements,
  type UnmetRequirement,
} from "../domain/evaluate-requirements.js";
import { mergeableVerdict, type MergeableVerdict } from "../domain/mergeable-verdict.js";
import { canWrite, type GithubRepoReader, type PullRequestState } from "./github-port.js";

/**
 * What the approval rules need to know (docs/design.md "Trust"): the reviews, and which of the
 * reviewers whose latest review approves or blocks can write (asked per reviewer; the adapter
 * caches permissions briefly).
 */
export async function approvalFacts(
  api: GithubRepoReader,
  pr: PullRequestState,
  plannedSha: string,
  required: number,
  submitted: Review | undefined,
): Promise<ApprovalFacts> {
  const listed = await api.reviews(pr.number);
  const reviews = submitted === undefined ? listed : [...listed, submitted];
  const writers = new Set<string>();
  for (const user of reviewersToCheck(reviews)) {
    if (canWrite(await api.permissionOf(user))) writers.add(user);
  }
  return { author: pr.author, reviews, writers, plannedSha, required };
}

export async function unmetRequirements(
  api: GithubRepoReader,
  required: readonly ApplyRequirement[],
  pr: PullRequestState,
  approval: ApprovalFacts,
): Promise<UnmetRequirement[]> {
  if (required.length === 0) return [];
  // Only what the configured requirements need is asked of GitHub. `undiverged` compares with
  // the base branch as it is now: the pull request's `base.sha` is where the base was when the
  // pull request last changed, not its live head.
  const behindBy = required.includes("undiverged")
    ? (await api.compare(pr.baseRef, pr.headSha)).behindBy
    : 0;
  return evaluateRequirements(required, {
    approval,
    mergeable: required.includes("mergeable")
      ? await mergeable(api, pr, approval)
      : { mergeable: true },
    behindBy,
  });
}

/**
 * GitHub's verdict on merging the pull request; when it says `blocked`, the base branch's rules
 * and the head's check runs are read to leave Bosun's own required checks out (docs/design.md
 * "Trust").
 */
async function mergeable(
  api: GithubRepoReader,
  pr: PullRequestState,
  approval: ApprovalFacts,
): Promise<MergeableVerdict> {
  if (pr.mergeableState !== "blocked") return mergeableVerdict(pr.mergeableState);
  const rules = await api.branchRules(pr.baseRef);
  const checks = await api.checkRuns(pr.headSha);
  // A `pull_request` rule is judged on the reviews, read here if `approved` did not read them.
  const reviews =
    rules.some((rule) => "requiredApprovals" in rule) && approval.reviews.length === 0
      ? await approvalFacts(api, pr, approval.plannedSha, approval.required, undefined)
      : approval;
  return mergeableVerdict(pr.mergeableState, { rules, checks, approval: reviews });
}
