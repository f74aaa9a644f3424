import { type ApprovalFacts, evaluateApproval } from "./evaluate-approval.js";

/**
 * GitHub's `mergeable_state` values that let the pull request be merged
 * (https://docs.github.com/en/graphql/reference/enums#mergestatestatus: `unstable` is a failing
 * check that is not required, `has_hooks` passing with pre-receive hooks).
 */
const MERGEABLE_STATES: readonly string[] = ["clean", "unstable", "has_hooks"];

/** Bosun's own check runs: `bosun/<env>`, `bosun/config`. */
export const BOSUN_CHECK_PREFIX = "bosun/";

/** One rule of the base branch, as GitHub's "Get rules for a branch" lists it. */
export type BranchRule =
  | { type: "required_status_checks"; contexts: readonly string[] }
  | {
      type: "pull_request";
      requiredApprovals: number;
      /** Code owners' review, the last pusher's approval, resolved threads: not judged by Bosun. */
      othersRequired: boolean;
    }
  | { type: string };

/** A check run on the pull request's head, as GitHub lists it. */
export interface CheckOutcome {
  name: string;
  status: string;
  conclusion: string | null;
}

/** When GitHub says `blocked`: what might be blocking, so that Bosun's own checks can be left out. */
export interface BlockedFacts {
  rules: readonly BranchRule[];
  checks: readonly CheckOutcome[];
  /** For a `pull_request` rule: the reviews, judged the stricter way Bosun counts approvals. */
  approval: ApprovalFacts;
}

export type MergeableVerdict =
  | { mergeable: true }
  | {
      mergeable: false;
      /** GitHub's `mergeable_state`, as it reported it. */
      state: string;
      /** When `blocked`: what is still blocking, besides Bosun's own checks, as far as Bosun can tell. */
      blockedBy: string[];
    };

/**
 * Rules that restrict pushes to the branch itself (creating, deleting, forcing it), not the merge
 * of a pull request into it. Any other rule might be what blocks, so a `blocked` pull request
 * with such a rule is taken at GitHub's word.
 */
const RULES_NOT_ON_MERGING = new Set(["creation", "deletion", "non_fast_forward"]);

/** GitHub's conclusions that satisfy a required check. */
const PASSING = new Set(["success", "neutral", "skipped"]);

/**
 * The `mergeable` requirement: GitHub's own verdict on the pull request (branch protection,
 * required reviews and checks), leaving out Bosun's own `bosun/*` checks, so that a required
 * Bosun check cannot block the apply it is waiting for (Digger #1180). A `blocked` pull request
 * counts as mergeable only when everything that could block it is known and met but required
 * `bosun/*` checks: its base branch's rules are all understood, every other required check has
 * passed on the head, and a required review is met by the stricter count of approvals Bosun
 * makes. Otherwise (a rule Bosun cannot judge, or branch protection that the rules do not list)
 * GitHub's `blocked` stands.
 */
export function mergeableVerdict(state: string, blocked?: BlockedFacts): MergeableVerdict {
  if (MERGEABLE_STATES.includes(state)) return { mergeable: true };
  if (state !== "blocked" || blocked === undefined)
    return { mergeable: false, state, blockedBy: [] };
  const blockedBy: string[] = [];
  let bosunRequired = false;
  for (const rule of blocked.rules) {
    if ("contexts" in rule) {
      for (const context of rule.contexts) {
        if (context.startsWith(BOSUN_CHECK_PREFIX)) {
          bosunRequired = true;
          continue;
        }
        // The newest run of a check is the one GitHub's rules look at; GitHub lists newest first.
        const run = blocked.checks.find((check) => check.name === context);
        const passed =
          run !== undefined && run.status === "completed" && PASSING.has(run.conclusion ?? "");
        if (!passed) blockedBy.push(`required check \`${context}\` has not passed`);
      }
    } else if ("requiredApprovals" in rule) {
      if (rule.othersRequired) {
        blockedBy.push(
          "a required review Bosun cannot judge (code owners, last push, conversations)",
        );
        continue;
      }
      const approval = evaluateApproval({ ...blocked.approval, required: rule.requiredApprovals });
      if (rule.requiredApprovals > 0 && !approval.met) {
        blockedBy.push(`${rule.requiredApprovals} required approving review(s)`);
      }
    } else if (!RULES_NOT_ON_MERGING.has(rule.type)) {
      blockedBy.push(`the branch rule \`${rule.type}\``);
    }
  }
  // Without a required Bosun check among the rules, what blocks is something the rules do not
  // show (branch protection, say): GitHub's word stands.
  if (!bosunRequired && blockedBy.length === 0) blockedBy.push("branch protection");
  return blockedBy.length === 0 ? { mergeable: true } : { mergeable: false, state, blockedBy };
}
