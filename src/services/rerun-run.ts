import { TRIGGER_KINDS, type TriggerKind } from "../domain/run-kind.js";
import { planPullRequest } from "./plan-pull-request.js";
import type { PlanDeps } from "./plan-deps.js";
import type { RunDetail, RunPageStore } from "./run-page-port.js";
import { MANUAL_TRIGGER, triggerStackRun } from "./trigger-stack-run.js";

export type RerunOutcome =
  { kind: "queued"; runIds: string[] } | { kind: "refused"; reason: string };

type RerunSubject = Pick<RunDetail, "pullRequestNumber" | "trigger" | "kind" | "components">;

/** The kind and stack to trigger again when the run is one a writer triggered on a stack. */
function manualTrigger(run: RerunSubject): { kind: TriggerKind; stack: string } | undefined {
  if (run.pullRequestNumber !== undefined || run.trigger !== MANUAL_TRIGGER) return undefined;
  const kind = TRIGGER_KINDS.find((candidate) => candidate === run.kind);
  const stacks = [...new Set(run.components.map((component) => component.stack))];
  // A trigger names one stack: anything else was not made by one.
  return kind && stacks.length === 1 ? { kind, stack: stacks[0]! } : undefined;
}

/** Whether Re-run can repeat this run: a pull request's, or one triggered on a stack. */
export function canRerun(run: RerunSubject): boolean {
  return run.pullRequestNumber !== undefined || manualTrigger(run) !== undefined;
}

/**
 * The run page's Re-run. A pull request's run: plans the pull request again, narrowed to the run's
 * environment and stacks, as `/plan` would (the same re-plan path, so the same rules: a re-plan
 * clears earlier approvals). A run triggered on a stack (page, API, CLI): triggers the same kind on
 * the same stack and environment with the same runtime config, at the tracked branch's head as any
 * trigger. The new runs link to the one they repeat (docs/design.md invariant 1). The caller has
 * checked that `actor` can write.
 */
export async function rerunRun(
  deps: PlanDeps & { pages: RunPageStore },
  input: { runId: string; actor: string },
): Promise<RerunOutcome> {
  const run = await deps.pages.run(input.runId);
  if (!run) return { kind: "refused", reason: "the run no longer exists" };
  const outcome =
    run.pullRequestNumber === undefined
      ? await triggerAgain(deps, run, input.actor)
      : await replanPullRequest(deps, run, run.pullRequestNumber, input.actor);
  if (outcome.kind === "refused") return outcome;
  await deps.pages.linkRepeats(outcome.runIds, run.id);
  deps.log.info({ runId: run.id, runIds: outcome.runIds, actor: input.actor }, "run re-run");
  return outcome;
}

async function triggerAgain(deps: PlanDeps, run: RunDetail, actor: string): Promise<RerunOutcome> {
  const manual = manualTrigger(run);
  if (!manual) {
    return {
      kind: "refused",
      reason:
        run.kind === "drift"
          ? "a drift check runs on its environment's schedule"
          : "a tracked run is re-run by pushing again to the tracked branch",
    };
  }
  const { defaultBranch } = run.repository;
  if (defaultBranch === undefined) {
    return { kind: "refused", reason: "the repository's default branch is not known yet" };
  }
  const outcome = await triggerStackRun(deps, {
    installationId: run.repository.installationId,
    repository: { id: run.repository.id, fullName: run.repository.fullName, defaultBranch },
    stack: manual.stack,
    environment: run.environment,
    kind: manual.kind,
    runtimeConfig: run.runtimeConfig,
    actor: { kind: "person", login: actor },
  });
  return outcome.kind === "started"
    ? { kind: "queued", runIds: [outcome.runId] }
    : { kind: "refused", reason: outcome.reason };
}

async function replanPullRequest(
  deps: PlanDeps,
  run: RunDetail,
  number: number,
  actor: string,
): Promise<RerunOutcome> {
  const api = await deps.github(run.repository.installationId, run.repository.fullName);
  const pr = await api.pullRequest(number);
  if (pr.state !== "open") {
    return { kind: "refused", reason: `pull request #${pr.number} is closed` };
  }
  const outcome = await planPullRequest(deps, {
    installationId: run.repository.installationId,
    repository: {
      id: run.repository.id,
      fullName: run.repository.fullName,
      defaultBranch: run.repository.defaultBranch ?? pr.baseRef,
    },
    number: pr.number,
    headSha: pr.headSha,
    baseSha: pr.baseSha,
    baseRef: pr.baseRef,
    author: pr.author,
    fork: pr.fork,
    trigger: "button",
    triggeredBy: actor,
    environment: run.environment,
    stacks: run.components.map((component) => component.stack),
  });
  if (outcome.kind !== "planned") {
    return {
      kind: "refused",
      reason:
        outcome.kind === "refused"
          ? `the pull request cannot be planned again (${outcome.refusal.kind})`
          : `the pull request cannot be planned again (${outcome.kind})`,
    };
  }
  return { kind: "queued", runIds: outcome.runIds };
}
