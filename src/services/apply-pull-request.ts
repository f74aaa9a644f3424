import { PROMOTE_TRIGGER, REVERT_TRIGGER } from "../domain/changeset-origin.js";
import { evaluateApproval, type Review } from "../domain/evaluate-approval.js";
import type { ApplyRequirement } from "../domain/evaluate-requirements.js";
import { type ApplyConfig } from "../config/repo-config.js";
import { UNTRUSTED_DEFAULTS } from "../config/split-trust.js";
import { findStaleComponents } from "../domain/find-stale-components.js";
import { PLANNING_PHASES } from "../domain/component-phase.js";
import type { Refusal } from "../render/command-reply.js";
import type { RunView } from "./run-view-port.js";
import { canWrite } from "./github-port.js";
import { loadTrackedConfig } from "./tracked-config.js";
import type { PlanDeps } from "./plan-deps.js";
import { noteWaitingOnCheckRuns } from "./reporter/index.js";
import { selectRuns } from "./select-runs.js";
import { startApplying } from "./start-applying.js";
import { approvalFacts, unmetRequirements } from "./unmet-requirements.js";

export interface ConfirmRequest {
  installationId: number;
  repository: { id: number; fullName: string; defaultBranch: string };
  /** The pull request; undefined only for a button on a tracked run no pull request started. */
  number: number | undefined;
  /**
   * Who confirms: the commenter, the approving reviewer, who pressed the button, or the HTTP API's
   * caller.
   */
  actor: string;
  via: "comment" | "review" | "button" | "api";
  /**
   * The actor is an API token's machine user, which GitHub has no permission of: the caller has
   * checked the token's `trigger` scope instead.
   */
  machineUser?: boolean;
  /** The approving review that asks to confirm, as its webhook told it (`via: "review"`). */
  review?: Review;
  stacks?: readonly string[];
  environment?: string | undefined;
  /** The button names its check run, and so exactly one run. */
  checkRunId?: number;
  /** The HTTP API names exactly one run. */
  runId?: string;
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
  if (
    request.via !== "review" &&
    request.machineUser !== true &&
    !canWrite(await api.permissionOf(request.actor))
  ) {
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
  // A run no pull request started (a writer's Destroy from the stack page or the API) has nothing
  // for `approved`, `mergeable` or `undiverged` to judge: while any is required it cannot be
  // confirmed; without, a writer's confirmation is the whole gate, as for a tracked run.
  if (gated.length > 0 && request.number === undefined && rules.requirements.length > 0) {
    return refuse({ kind: "needs-pull-request", requirements: rules.requirements });
  }
  if (gated.length > 0 && request.number !== undefined) {
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
