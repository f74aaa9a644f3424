import type { ApprovalVerdict } from "../domain/evaluate-approval.js";
import type { UnmetRequirement } from "../domain/evaluate-requirements.js";
import { assertNever } from "../lib/assert-never.js";
import { codeSpan } from "./code-span.js";
import { escapeMarkdown } from "./escape-markdown.js";
import { COMMENT_BODY_LIMIT, truncateToLimit } from "./limits.js";

/**
 * Why Bosun will not do what a command asked, as a value (docs/design.md "Conventions": a refusal is rendered,
 * not thrown). Names are as the user or config wrote them, and escaped when shown; only
 * `bad-command` carries Bosun's own Markdown.
 */
export type Refusal =
  /** Only users with write (or higher) permission may /apply, /discard, /promote (docs/design.md). */
  | {
      readonly kind: "no-permission";
      readonly user: string;
      readonly needed: "write";
      readonly command?: string;
    }
  | { readonly kind: "requirements-unmet"; readonly unmet: readonly UnmetRequirement[] }
  /**
   * An approving review with `approve_on_review` that is not an approval (docs/design.md "Trust"):
   * the verdict says who approved which commit.
   */
  | {
      readonly kind: "review-not-counted";
      readonly user: string;
      readonly approval: ApprovalVerdict;
    }
  /** The tracked branch's bosun.yml does not parse: its rules are unknown, so nothing is confirmed. */
  | { readonly kind: "tracked-config-broken"; readonly branch: string }
  /** Another run applied these components since this changeset was planned. */
  | {
      readonly kind: "stale";
      readonly moved: readonly { readonly component: string; readonly detail: string }[];
    }
  /** A writer's `/plan` of a pull request they vouch for, whose head moved after the comment. */
  | { readonly kind: "head-moved-since-comment"; readonly headSha: string }
  /** The PR's head moved after the plan. */
  | { readonly kind: "pr-head-moved"; readonly plannedSha: string; readonly headSha: string }
  | {
      readonly kind: "unknown-stack";
      readonly names: readonly string[];
      readonly known: readonly string[];
    }
  | {
      readonly kind: "unknown-environment";
      readonly names: readonly string[];
      readonly known: readonly string[];
    }
  | { readonly kind: "nothing-to-apply" }
  | { readonly kind: "fork-not-allowed" }
  /**
   * The comment's command could not be parsed. Both are Bosun's own Markdown, shown as they are:
   * `message` is `parseCommand`'s error, which quotes the comment only inside code spans, and
   * `help` is `HELP_TEXT`.
   */
  | { readonly kind: "bad-command"; readonly message: string; readonly help: string }
  /** /apply while components are still being planned. */
  | { readonly kind: "still-planning"; readonly components: readonly string[] }
  /** /apply on a changeset with failed plans: what was reviewed is incomplete. */
  | { readonly kind: "plan-failed"; readonly components: readonly string[] }
  /** A policy denied the plan (docs/design.md "policies"). */
  | {
      readonly kind: "policy-denied";
      readonly denials: readonly {
        readonly component: string;
        readonly policy: string;
        readonly message: string;
      }[];
    }
  /** `/revert RUN` naming no run of this repository; `help` is `HELP_TEXT`. */
  | { readonly kind: "unknown-run"; readonly run: string; readonly help: string }
  /** `/revert` of a run that applied nothing, or on a pull request with nothing applied. */
  | { readonly kind: "nothing-to-revert"; readonly run: string | undefined }
  /** `/promote ENV` before the change was applied where it must be first (`reason` says where). */
  | { readonly kind: "not-promotable"; readonly environment: string; readonly reason: string }
  /** docs/design.md invariant 5: another run is confirmed or applying these components. */
  | {
      readonly kind: "component-busy";
      readonly busy: readonly { readonly component: string; readonly runUrl: string }[];
    }
  /** GitHub's Re-run of a check run whose run cannot be run again (`reason` says why). */
  | { readonly kind: "rerun-refused"; readonly reason: string };
export type RefusalKind = Refusal["kind"];

/** What GitHub's `mergeable_state` values that refuse a merge mean, for a reply. */
const MERGEABLE_STATE_MEANING: Readonly<Record<string, string>> = {
  blocked: " (branch protection: required reviews or checks)",
  behind: " (the head branch is behind the base branch)",
  dirty: " (merge conflicts)",
  draft: " (a draft)",
};

/** A refusal as a reply comment: what is wrong, then what to do about it. */
export function renderRefusal(refusal: Refusal): string {
  return fit(refusalMarkdown(refusal));
}

/** A refusal as the reply to the person who asked: mentioned, then told what is wrong. */
export function renderRefusalReply(actor: string, refusal: Refusal): string {
  return `@${actor} ${renderRefusal(refusal)}`;
}

/** A bad `/replan`: the `-target` addresses that are not in the current plan. */
export function targetsNotInPlan(targets: readonly string[]): string {
  return `${targets.map((target) => `\`${target}\``).join(", ")} ${targets.length === 1 ? "is" : "are"} not in the current plan; \`-target\` takes addresses the plan shows`;
}

/**
 * The reply to `/help`, and the tail of a bad-command reply: Bosun's own help (`HELP_TEXT`),
 * trimmed and kept within a comment.
 */
export function renderHelp(helpMarkdown: string): string {
  return fit(helpMarkdown.trim());
}

function refusalMarkdown(refusal: Refusal): string {
  switch (refusal.kind) {
    case "no-permission": {
      const command =
        refusal.command === undefined
          ? "this command"
          : codeSpan(`/${refusal.command.replace(/^\//, "")}`);
      return `**Not allowed:** ${codeSpan(refusal.user)} does not have ${refusal.needed} permission on this repository, which ${command} needs. Ask someone with ${refusal.needed} access to comment it.`;
    }
    case "requirements-unmet": {
      const lines = refusal.unmet.flatMap(requirementLines);
      return [
        "**Cannot apply yet:** this repository requires the following before an apply, and they do not hold:",
        "",
        ...lines,
        "",
        "Comment `/apply` again once they do.",
      ].join("\n");
    }
    case "review-not-counted":
      return [
        `**Not confirmed:** the approving review of ${codeSpan(refusal.user)} does not count as an approval of this plan, so nothing was applied.`,
        "",
        ...approvalLines(refusal.approval),
      ].join("\n");
    case "tracked-config-broken":
      return `**Cannot apply:** \`bosun.yml\` on the tracked branch ${codeSpan(refusal.branch)} is not valid, so the rules for applying are unknown and nothing is confirmed, reverted or promoted. Fix it on ${codeSpan(refusal.branch)} first; its check run lists the problems.`;
    case "stale": {
      const lines = refusal.moved.map(
        (moved) => `- ${escapeMarkdown(moved.component)}: ${escapeMarkdown(moved.detail)}`,
      );
      return [
        "**Cannot apply: this plan is stale.** Another run has applied components it changes since it was planned:",
        "",
        ...lines,
        "",
        "Comment `/plan` to plan again on top of what changed, review the new plan, then `/apply`.",
      ].join("\n");
    }
    case "head-moved-since-comment":
      return `**Not planned:** the pull request's head moved to ${codeSpan(short(refusal.headSha))} after this comment was written. Its author cannot start plans, so a plan runs only code a writer has seen: review the new commits, then comment \`/plan\` again.`;
    case "pr-head-moved":
      return `**Cannot apply: this plan is stale.** It was made at ${codeSpan(short(refusal.plannedSha))}, but the pull request is now at ${codeSpan(short(refusal.headSha))}. Comment \`/plan\` to plan the new commits, review the new plan, then \`/apply\`.`;
    case "unknown-stack":
      return unknownNames("stack", refusal.names, refusal.known);
    case "unknown-environment":
      return unknownNames("environment", refusal.names, refusal.known);
    case "nothing-to-apply":
      return "**Nothing to apply:** no plan of this pull request is waiting for approval. Comment `/plan` to plan it.";
    case "fork-not-allowed":
      return "**Not planned:** this pull request comes from a fork, and this repository does not allow planning forks (a plan runs the pull request's code). A maintainer can set `apply.allow_forks: true` in `bosun.yml` on the tracked branch, or open the change from a branch of this repository.";
    case "bad-command":
      return `**Could not read that command:** ${refusal.message.trim()}\n\n${renderHelp(refusal.help)}`;
    case "still-planning":
      return `**Cannot apply yet:** ${names(refusal.components)} ${refusal.components.length === 1 ? "is" : "are"} still being planned. Wait for the check run to ask for approval, review the plan, then \`/apply\`.`;
    case "plan-failed":
      return `**Cannot apply:** the ${refusal.components.length === 1 ? "plan" : "plans"} of ${names(refusal.components)} failed, so there is no complete plan to apply. Fix the failure and push, or comment \`/plan\` to try again.`;
    case "policy-denied": {
      const lines = refusal.denials.map(
        (denial) =>
          `- ${codeSpan(denial.policy)} on ${escapeMarkdown(denial.component)}: ${escapeMarkdown(denial.message)}`,
      );
      return [
        "**Cannot apply:** a policy denies this plan:",
        "",
        ...lines,
        "",
        "Change the plan so that the policy allows it and push, or ask the repository's maintainers about the policy.",
      ].join("\n");
    }
    case "unknown-run":
      return `**No such run:** ${codeSpan(refusal.run)} is not a run of this repository. \`/revert RUN\` takes the id shown on the run's page; nothing was opened.\n\n${renderHelp(refusal.help)}`;
    case "nothing-to-revert":
      return refusal.run === undefined
        ? "**Nothing to revert:** no run of this pull request has applied anything. Nothing was opened."
        : `**Nothing to revert:** run ${codeSpan(refusal.run)} applied nothing. Nothing was opened.`;
    case "not-promotable":
      return `**Cannot promote to ${escapeMarkdown(refusal.environment)}:** ${escapeMarkdown(refusal.reason)}. Nothing was opened.`;
    case "component-busy": {
      const lines = refusal.busy.map(
        (busy) => `- ${escapeMarkdown(busy.component)}: [run](${busy.runUrl})`,
      );
      return [
        "**Cannot apply yet:** another run is applying these components, and only one run may change a component at a time:",
        "",
        ...lines,
        "",
        "Wait for it to finish. If it changed these components, this plan is then stale: comment `/plan` to plan again on top of it, then `/apply`.",
      ].join("\n");
    }
    case "rerun-refused":
      return `**Cannot re-run:** ${escapeMarkdown(refusal.reason)}.`;
    default:
      return assertNever(refusal, "refusal");
  }
}

function requirementLines(unmet: UnmetRequirement): string[] {
  switch (unmet.requirement) {
    case "approved":
      return [
        `- **approved**: ${unmet.approval.required === 1 ? "an approving review" : `${unmet.approval.required} approving reviews`} of the planned commit ${codeSpan(short(unmet.approval.plannedSha))} by users with write permission, other than the author, and no outstanding request for changes from one (each reviewer's latest review counts).`,
        ...approvalLines(unmet.approval).map((line) => `  ${line}`),
      ];
    case "mergeable":
      return unmet.state === "unknown"
        ? [
            "- **mergeable**: GitHub is still working out whether the pull request can be merged; try again in a moment.",
          ]
        : [
            `- **mergeable**: GitHub reports the pull request ${codeSpan(unmet.state)}${MERGEABLE_STATE_MEANING[unmet.state] ?? ""}${unmet.blockedBy.length > 0 ? `; besides Bosun's own checks, ${unmet.blockedBy.join("; ")}` : ""}.`,
          ];
    case "undiverged":
      return [
        `- **undiverged**: the pull request is ${unmet.behindBy} ${unmet.behindBy === 1 ? "commit" : "commits"} behind the tracked branch; update it from the tracked branch and re-plan.`,
      ];
    default:
      return assertNever(unmet, "apply requirement");
  }
}

/** Who approved which commit, and what counted: a list whose items fit under a requirement. */
function approvalLines(approval: ApprovalVerdict): string[] {
  const counted = approval.approvedBy.map(
    (entry) => `- ${codeSpan(entry.user)} approved ${codeSpan(short(entry.commitId))}: counts.`,
  );
  const notCounted = approval.notCounted.map((entry) => {
    const commit = entry.commitId === null ? "an unknown commit" : codeSpan(short(entry.commitId));
    return `- ${codeSpan(entry.user)} approved ${commit}: ${notCountedText(entry.reason)}.`;
  });
  const blocking = approval.changesRequestedBy.map(
    (user) => `- ${codeSpan(user)} requested changes: blocks until they approve.`,
  );
  const none =
    counted.length + notCounted.length + blocking.length === 0
      ? ["- No one has approved yet."]
      : [];
  return [...counted, ...notCounted, ...blocking, ...none];
}

function notCountedText(reason: ApprovalVerdict["notCounted"][number]["reason"]): string {
  switch (reason) {
    case "author":
      return "does not count, being the pull request's author";
    case "no-write-permission":
      return "does not count, without write permission on this repository";
    case "other-commit":
      return "does not count for this plan, which was made at another commit (an approval does not carry over to new commits)";
    default:
      return assertNever(reason, "reason");
  }
}

function unknownNames(noun: string, unknown: readonly string[], known: readonly string[]): string {
  const what = unknown.length === 1 ? `${noun} ${names(unknown)}` : `${noun}s ${names(unknown)}`;
  const choices =
    known.length === 0
      ? `This repository declares no ${noun}s.`
      : `Known ${noun}s: ${names(known)}.`;
  return `**Unknown ${what}:** nothing was run, since Bosun never falls back to a default. ${choices} Check the spelling and comment again.`;
}

function names(list: readonly string[]): string {
  return list.map((name) => codeSpan(name)).join(", ");
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

function fit(markdown: string): string {
  return truncateToLimit(markdown, COMMENT_BODY_LIMIT, (lines) => `… ${lines} more lines`);
}
