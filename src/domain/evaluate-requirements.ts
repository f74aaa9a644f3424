import { type ApprovalFacts, type ApprovalVerdict, evaluateApproval } from "./evaluate-approval.js";
import type { MergeableVerdict } from "./mergeable-verdict.js";

export const APPLY_REQUIREMENTS = ["approved", "mergeable", "undiverged"] as const;
export type ApplyRequirement = (typeof APPLY_REQUIREMENTS)[number];

export type UnmetRequirement =
  | { requirement: "approved"; approval: ApprovalVerdict }
  /** GitHub's `mergeable_state` as it reported it, and what blocks besides Bosun's own checks. */
  | { requirement: "mergeable"; state: string; blockedBy: string[] }
  | { requirement: "undiverged"; behindBy: number };

export interface PullRequestFacts {
  approval: ApprovalFacts;
  /** GitHub's verdict on merging the pull request, Bosun's own checks left out. */
  mergeable: MergeableVerdict;
  /** Commits of the base branch's live head that the pull request's head does not contain. */
  behindBy: number;
}

/** The requirements a pull request does not meet, in the order they are configured. */
export function evaluateRequirements(
  required: readonly ApplyRequirement[],
  facts: PullRequestFacts,
): UnmetRequirement[] {
  return required.flatMap((requirement): UnmetRequirement[] => {
    switch (requirement) {
      case "approved": {
        const approval = evaluateApproval(facts.approval);
        return approval.met ? [] : [{ requirement, approval }];
      }
      case "mergeable":
        return facts.mergeable.mergeable
          ? []
          : [{ requirement, state: facts.mergeable.state, blockedBy: facts.mergeable.blockedBy }];
      case "undiverged":
        return facts.behindBy === 0 ? [] : [{ requirement, behindBy: facts.behindBy }];
    }
  });
}
