import type { UnmetRequirement } from "../domain/evaluate-requirements.js";
import { assertNever } from "../lib/assert-never.js";
import type { Refusal } from "./command-reply.js";

/**
 * A refusal as the HTTP API's `error`: one plain-text sentence (the reply comment is Markdown
 * that speaks of comment commands) naming what is wrong.
 */
export function refusalReason(refusal: Refusal): string {
  switch (refusal.kind) {
    case "no-permission":
      return `${refusal.user} does not have ${refusal.needed} permission on the repository`;
    case "requirements-unmet":
      return `the repository's requirements for an apply do not hold: ${refusal.unmet.map(unmetText).join("; ")}`;
    case "needs-pull-request":
      return `the repository requires ${refusal.requirements.join(", ")} before an apply, which only a pull request can meet, and this run has none`;
    case "review-not-counted":
      return `the approving review of ${refusal.user} does not count as an approval of this plan`;
    case "tracked-config-broken":
      return `bosun.yml on the tracked branch ${refusal.branch} is not valid, so nothing is confirmed until it is fixed`;
    case "stale":
      return `the plan is stale: ${refusal.moved.map((moved) => `${moved.component}: ${moved.detail}`).join("; ")}`;
    case "head-moved-since-comment":
      return `the pull request's head moved to ${short(refusal.headSha)}`;
    case "pr-head-moved":
      return `the plan was made at ${short(refusal.plannedSha)}, but the pull request is now at ${short(refusal.headSha)}: plan it again`;
    case "unknown-stack":
      return `unknown stack ${refusal.names.join(", ")}; known: ${refusal.known.join(", ") || "none"}`;
    case "unknown-environment":
      return `unknown environment ${refusal.names.join(", ")}; known: ${refusal.known.join(", ") || "none"}`;
    case "nothing-to-apply":
      return "nothing of this run is waiting for approval, or a newer plan replaced it";
    case "fork-not-allowed":
      return "the pull request comes from a fork, and the repository does not allow planning forks";
    case "bad-command":
      return "the command could not be read";
    case "still-planning":
      return `${refusal.components.join(", ")} ${refusal.components.length === 1 ? "is" : "are"} still being planned`;
    case "plan-failed":
      return `the plan of ${refusal.components.join(", ")} failed: there is no complete plan to apply`;
    case "policy-denied":
      return `a policy denies the plan: ${refusal.denials.map((denial) => `${denial.policy} on ${denial.component}: ${denial.message}`).join("; ")}`;
    case "unknown-run":
      return `${refusal.run} is not a run of this repository`;
    case "nothing-to-revert":
      return "the run applied nothing to revert";
    case "not-promotable":
      return `cannot promote to ${refusal.environment}: ${refusal.reason}`;
    case "component-busy":
      return `another run is applying ${refusal.busy.map((busy) => `${busy.component} (${busy.runUrl})`).join(", ")}; only one run changes a component at a time`;
    case "rerun-refused":
      return `cannot re-run: ${refusal.reason}`;
    default:
      return assertNever(refusal, "refusal");
  }
}

function unmetText(unmet: UnmetRequirement): string {
  switch (unmet.requirement) {
    case "approved":
      return `approved (${unmet.approval.approvedBy.length} of ${unmet.approval.required} approving ${unmet.approval.required === 1 ? "review" : "reviews"} of ${short(unmet.approval.plannedSha)} by writers other than the author${unmet.approval.changesRequestedBy.length > 0 ? `; changes requested by ${unmet.approval.changesRequestedBy.join(", ")}` : ""})`;
    case "mergeable":
      return `mergeable (GitHub reports ${unmet.state}${unmet.blockedBy.length > 0 ? `: ${unmet.blockedBy.join("; ")}` : ""})`;
    case "undiverged":
      return `undiverged (${unmet.behindBy} ${unmet.behindBy === 1 ? "commit" : "commits"} behind the tracked branch)`;
    default:
      return assertNever(unmet, "apply requirement");
  }
}

function short(sha: string): string {
  return sha.slice(0, 7);
}
