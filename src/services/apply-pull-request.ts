import { PROMOTE_TRIGGER, REVERT_TRIGGER } from "../domain/changeset-origin.js";
import {
  type ApprovalFacts,
  evaluateApproval,
  reviewersToCheck,
  type Review,
} from "../domain/evaluate-approval.js";
import {
  type ApplyRequirement,
  evaluateRequirements,
  type UnmetRequirement,
} from "../domain/evaluate-requirements.js";
import { type ApplyConfig } from "../config/repo-config.js";
import { UNTRUSTED_DEFAULTS } from "../config/split-trust.js";
import { findStaleComponents } from "../domain/find-stale-components.js";
import { mergeableVerdict, type MergeableVerdict } from "../domain/mergeable-verdict.js";
import { PLANNING_PHASES } from "../domain/component-phase.js";
import type { Refusal } from "../render/command-reply.js";
import type { RunView } from "./run-view-port.js";
import { canWrite, type GithubRepoReader, type PullRequestState } from "./github-port.js";
import { loadTrackedConfig } from "./plan-pull-request.js";
import type { PlanDeps } from "./plan-deps.js";
import { noteWaitingOnCheckRuns } from "./reporter/index.js";
import { startApplying } from "./start-applying.js";

export interface ConfirmRequest {
  installationId: number;
  repository: { id: number; fullName: string; defaultBranch: string };
  /** The pull request; undefined only for a button on a tracked run no pull request started. */
  number: number | undefined;
  /** Who confirms: the commenter, the approving reviewer, or who pressed the button. */
  actor: string;
  via: "comment" | "review" | "button";
  /** The approving review that asks to confirm, as its webhook told it (`via: "review"`). */
  review?: Review;
  stacks?: readonly string[];
  environment?: string | undefined;
  /** The button names its check run, and so exactly one run. */
  checkRunId?: number;
}

export type ConfirmOutcome =
  { kind: "applying"; runIds: string[] } | { kind: "refused"; refusal: Refusal };

/**
 * `/apply`, an approving review with `approve_on_review`, or the Apply button: the single approval
 * gate. Every check is made before anything changes; a refusal is a value naming what is wrong.
 * Confirming is a compare-and-swap per component, and the database allows one confirmed or
 * applying run per component, so concurrent confirmations apply each plan at most once.
 */
export async function confirmPullRequest(
  deps: PlanDeps,
  request: ConfirmRequest,
): Promise<ConfirmOutcome> {
  const api = await deps.github(request.installationId, request.repository.fullName);
  const refuse = (refusal: Refusal): ConfirmOutcome => ({ kind: "refused", refusal });

  // A reader's approving review is answered below by who approved what, like any review.
  if (request.via !== "review" && !canWrite(await api.permissionOf(request.actor))) {
    return refuse({
      kind: "no-permission",
      user: request.actor,
      needed: "write",
      command: "/apply",
    });
  }
  // The tracked branch's rules decide every confirmation (docs/design.md "Trust"): when its
  // bosun.yml does not parse they are unknown, and nothing is confirmed until it is fixed.
  const tracked = await loadTrackedConfig(api, request.repository.defaultBranch);
  if (tracked.kind === "invalid")
    return refuse({ kind: "tracked-config-broken", branch: tracked.branch });
  const rules: ApplyConfig =
    tracked.kind === "valid" ? tracked.config.apply : UNTRUSTED_DEFAULTS.apply;
  const selected = await selectRuns(deps, request);
  if ("refusal" in selected) return refuse(selected.refusal);

  const chosen = selected.runs.map((run) => ({
    run,
    components: run.components.filter(
      (component) => !request.stacks?.length || request.stacks.includes(component.stack),
    ),
  }));
  const all = chosen.flatMap(({ run, components }) =>
    components.map((component) => ({ run, component })),
  );
  const planning = all.filter(({ component }) => PLANNING_PHASES.includes(component.phase));
  if (planning.length > 0)
    return refuse({ kind: "still-planning", components: planning.map(nameOf) });
  const failed = all.filter(({ component }) => component.phase === "FAILED");
  if (failed.length > 0) return refuse({ kind: "plan-failed", components: failed.map(nameOf) });
  const unconfirmed = all.filter(({ component }) => component.phase === "UNCONFIRMED");
  if (unconfirmed.length === 0) return refuse({ kind: "nothing-to-apply" });

  // A tracked run applies what was merged: the pull request's head and review rules are behind
  // it. Every other run, a revert's and a promotion's included, goes through the tracked branch's
  // requirements like the pull request's own plans (docs/design.md "Trust").
  const gated = unconfirmed.filter(({ run }) => run.kind !== "tracked");
  // An approving review confirms only a plan of the pull request's own commit that it approves.
  if (request.via === "review" && gated.length === 0) return refuse({ kind: "nothing-to-apply" });
  if (gated.length > 0) {
    if (request.number === undefined) return refuse({ kind: "nothing-to-apply" });
    const pr = await api.pullRequest(request.number);
    const plannedSha = gated[0]!.run.commitSha;
    let required: readonly ApplyRequirement[] = rules.requirements;
    if (pr.state === "open") {
      if (gated.some(({ run }) => run.commitSha !== pr.headSha)) {
        return refuse({ kind: "pr-head-moved", plannedSha, headSha: pr.headSha });
      }
    } else {
      // A closed pull request's own plans are never applied; what it may still apply is a revert
      // of what it applied and, once merged, a promotion of its merged change. Its merge or close
      // settled `mergeable` and `undiverged`, which describe merging an open pull request; the
      // approvals of the planned commit are what remains to check.
      const afterClose = gated.every(
        ({ run }) =>
          run.trigger === REVERT_TRIGGER || (pr.merged && run.trigger === PROMOTE_TRIGGER),
      );
      if (!afterClose || request.via === "review") return refuse({ kind: "nothing-to-apply" });
      if (gated.some(({ run }) => run.commitSha !== plannedSha)) {
        return refuse({ kind: "nothing-to-apply" });
      }
      required = required.filter((requirement) => requirement === "approved");
    }
    const needsApproval = request.via === "review" || required.includes("approved");
    // Reviews are read only when a rule reads them.
    const approval = needsApproval
      ? await approvalFacts(api, pr, plannedSha, rules.approvals, request.review)
      : { author: pr.author, reviews: [], writers: new Set<string>(), plannedSha, required: 1 };
    if (request.via === "review") {
      const verdict = evaluateApproval(approval);
      if (!verdict.approvedBy.some((entry) => entry.user === request.actor)) {
        const refusal: Refusal = {
          kind: "review-not-counted",
          user: request.actor,
          approval: verdict,
        };
        await noteWaitingOnCheckRuns(
          deps,
          api,
          chosen.map(({ run }) => run),
          refusal,
        );
        return refuse(refusal);
      }
    }
    const unmet = await unmetRequirements(api, required, pr, approval);
    if (unmet.length > 0) {
      const refusal: Refusal = { kind: "requirements-unmet", unmet };
      await noteWaitingOnCheckRuns(
        deps,
        api,
        chosen.map(({ run }) => run),
        refusal,
      );
      return refuse(refusal);
    }
  }

  const stale = await staleComponents(deps, unconfirmed);
  if (stale.length > 0) return refuse({ kind: "stale", moved: stale });

  const runIds: string[] = [];
  for (const { run, components } of chosen) {
    const ids = components.filter((c) => c.phase === "UNCONFIRMED").map((c) => c.runComponentId);
    if (ids.length === 0) continue;
    let confirmed: string[];
    try {
      confirmed = await deps.runTransitions.confirm(
        run.runId,
        ids,
        request.actor,
        `confirmed by ${request.via}`,
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return refuse({
        kind: "component-busy",
        busy: components.map((c) => ({
          component: `${c.stack}@${run.environment}`,
          runUrl: deps.runLink(run.runId),
        })),
      });
    }
    if (confirmed.length === 0) continue;
    await startApplying(deps, api, run, confirmed);
    runIds.push(run.runId);
  }
  return runIds.length > 0 ? { kind: "applying", runIds } : refuse({ kind: "nothing-to-apply" });
}

/** The runs a request names: the latest of each open changeset of the PR, or the button's own. */
export async function selectRuns(
  deps: Pick<PlanDeps, "runViews">,
  request: {
    repository: { id: number };
    number: number | undefined;
    environment?: string | undefined;
    checkRunId?: number;
    stacks?: readonly string[];
  },
): Promise<{ runs: RunView[] } | { refusal: Refusal }> {
  if (request.checkRunId !== undefined) {
    const run = await deps.runViews.runByCheckRun(request.repository.id, request.checkRunId);
    if (!run) return { refusal: { kind: "nothing-to-apply" } };
    // Tracked runs are never replaced; each waits for its own approval.
    if (run.kind === "tracked" || request.number === undefined) return { runs: [run] };
    // A button on an older plan's check run must not confirm a plan that was replaced since.
    const latest = await runsOf(deps, request.repository.id, request.number);
    return latest.some((view) => view.runId === run.runId)
      ? { runs: [run] }
      : { refusal: { kind: "nothing-to-apply" } };
  }
  const latest =
    request.number === undefined ? [] : await runsOf(deps, request.repository.id, request.number);
  // With no plan at all, every environment would read as unknown, however bosun.yml declares it.
  if (latest.length === 0) return { refusal: { kind: "nothing-to-apply" } };
  const known = latest.map((run) => run.environment);
  if (request.environment !== undefined && !known.includes(request.environment)) {
    return { refusal: { kind: "unknown-environment", names: [request.environment], known } };
  }
  const runs = latest.filter(
    (run) => request.environment === undefined || run.environment === request.environment,
  );
  const stacks = [
    ...new Set(runs.flatMap((run) => run.components.map((component) => component.stack))),
  ].sort();
  const unknown = (request.stacks ?? []).filter((stack) => !stacks.includes(stack));
  if (unknown.length > 0)
    return { refusal: { kind: "unknown-stack", names: unknown, known: stacks } };
  return { runs };
}

/**
 * The runs a pull request's commands act on: its open changesets' latest runs; once it is merged,
 * the tracked runs its merge started (the newest per environment), except in an environment where
 * a revert or a promotion opened a changeset of the pull request since.
 */
async function runsOf(
  deps: Pick<PlanDeps, "runViews">,
  repositoryId: number,
  number: number,
): Promise<RunView[]> {
  const open = await deps.runViews.latestRunsOfPullRequest(repositoryId, number);
  const newest = new Map<string, RunView>(open.map((run) => [run.environment, run]));
  const tracked = await deps.runViews.trackedRunsOfPullRequest(repositoryId, number);
  for (const run of tracked) if (!newest.has(run.environment)) newest.set(run.environment, run);
  return [...newest.values()].sort((a, b) => a.environment.localeCompare(b.environment));
}

/**
 * What the approval rules need to know (docs/design.md "Trust"): the reviews, and which of the
 * reviewers whose latest review approves or blocks can write (asked per reviewer; the adapter
 * caches permissions briefly).
 */
async function approvalFacts(
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

async function unmetRequirements(
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

async function staleComponents(
  deps: Pick<PlanDeps, "components">,
  unconfirmed: readonly { run: RunView; component: RunView["components"][number] }[],
): Promise<{ component: string; detail: string }[]> {
  const heads = await deps.components.deployedHeads(
    unconfirmed.map(({ component }) => component.componentId),
  );
  return unconfirmed.flatMap(({ run, component }) => {
    const moved = findStaleComponents(
      { [component.componentId]: run.baseHeads[component.componentId] ?? null },
      heads,
    );
    return moved.length > 0
      ? [
          {
            component: nameOf({ run, component }),
            detail: "another run applied it after this plan was made",
          },
        ]
      : [];
  });
}

function nameOf({ run, component }: { run: RunView; component: { stack: string } }): string {
  return `${component.stack}@${run.environment}`;
}

/** PostgreSQL's unique_violation (23505): here, the one-writer-per-component index. */
function isUniqueViolation(error: unknown): boolean {
  for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
    if ((current as { code?: unknown }).code === "23505") return true;
  }
  return false;
}
