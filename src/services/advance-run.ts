import type { ComponentPhase } from "../domain/component-phase.js";
import { staleWaveReason } from "../domain/dependency-waves.js";
import { isTerminal, PLANNING_PHASES } from "../domain/component-phase.js";
import { concludeDriftCheck } from "./conclude-drift-check.js";
import { startApplying } from "./start-applying.js";
import { enqueueRunComponent } from "./execute-run-component.js";
import type { RunComponentView, RunView } from "./run-view-port.js";
import type { GithubRepoApi } from "./github-port.js";
import { loadTrackedConfig } from "./tracked-config.js";
import type { PlanDeps } from "./plan-deps.js";

export const AUTODEPLOY_ACTOR = "bosun (autodeploy)";

/**
 * What follows a component's job: the next tracked run held behind this component starts; a
 * tracked run whose plans are all done applies, without the gate, the components whose stack
 * autodeploys and whose plan no policy warned about or denied (invariant 6); a new deployed head
 * makes other runs waiting on this component stale, so their reports are refreshed; a drift
 * check that has ended records its finding.
 */
export async function advanceRun(deps: PlanDeps, runComponentId: string): Promise<string[]> {
  const toReport = new Set<string>();
  const run = await findRun(deps, runComponentId);
  if (!run) return [];
  toReport.add(run.runId);
  const component = run.components.find((c) => c.runComponentId === runComponentId)!;

  if (isTerminal(component.phase)) {
    const next = await deps.runTransitions.releaseNextHeld(component.componentId);
    if (next) {
      await enqueueRunComponent(
        deps.queue,
        { runComponentId: next.runComponentId, action: "plan" },
        component.componentId,
      );
      toReport.add(next.runId);
    }
  }
  if (component.phase === "FINISHED" && component.applied) {
    for (const runId of await deps.runViews.runsAwaitingOn(component.componentId, run.runId))
      toReport.add(runId);
  }

  // The run walks its dependency graph; after its single approval, on its own (docs/design.md).
  if (await advanceWaves(deps, run)) toReport.add(run.runId);

  const planningDone = !run.components.some((c) => PLANNING_PHASES.includes(c.phase));
  if (run.kind === "tracked" && planningDone) {
    const eligible = run.components.filter(
      (c) => c.phase === "UNCONFIRMED" && c.spec.autodeploy === true && !objected(c),
    );
    const api =
      eligible.length > 0
        ? await deps.github(run.installationId, run.repositoryFullName)
        : undefined;
    if (api && (await trackedRulesKnown(deps, api, run))) {
      const confirmed = await deps.runTransitions.confirm(
        run.runId,
        eligible.map((c) => c.runComponentId),
        AUTODEPLOY_ACTOR,
        "autodeploy: no policy warned or denied",
      );
      if (confirmed.length > 0) await startApplying(deps, api, run, confirmed);
    }
  }
  if (isTerminal(component.phase)) {
    await endRunAccess(deps, run.runId);
    // A drift check that has ended records what it found, before its report tells GitHub.
    if (run.kind === "drift") await concludeDriftCheck(deps, run.runId);
  }
  return [...toReport];
}

/**
 * Autodeploy is a confirmation like any other, so it needs the tracked branch's rules as they are
 * now (docs/design.md "Trust"): when a later push broke its bosun.yml (or the repository's default
 * branch is not known), they are unknown and the run waits, UNCONFIRMED, where `/apply` and the
 * Apply button are refused with the config problem.
 */
async function trackedRulesKnown(
  deps: PlanDeps,
  api: GithubRepoApi,
  run: RunView,
): Promise<boolean> {
  if (run.defaultBranch === undefined) {
    deps.log.warn({ runId: run.runId }, "autodeploy held: the default branch is not known");
    return false;
  }
  const tracked = await loadTrackedConfig(api, run.defaultBranch);
  if (tracked.kind !== "invalid") return true;
  deps.log.warn(
    { runId: run.runId, branch: tracked.branch },
    "autodeploy held: the tracked branch's bosun.yml does not parse",
  );
  return false;
}

/** A run whose components are all terminal (waves may just have blocked the last) uses no state. */
async function endRunAccess(
  deps: Pick<PlanDeps, "runViews" | "revokeStateCredentials">,
  runId: string,
): Promise<void> {
  if (!deps.revokeStateCredentials) return;
  const after = await deps.runViews.runView(runId);
  if (after?.components.every((c) => isTerminal(c.phase))) await deps.revokeStateCredentials(runId);
}

/**
 * The run walks its dependency graph (docs/design.md "Lifecycle"). A DEFERRED component moves on once
 * every upstream it waits for in the run is FINISHED: before the approval only when none of them
 * applied anything (its inputs are their deployed outputs, which will not change), after it in
 * any case (its inputs are then their fresh outputs). One whose upstream failed, was blocked or
 * discarded is BLOCKED. Before each wave, each component's deployed head is compared with the one
 * its changeset was based on (invariant 4): one that moved is refused, never re-planned. A later
 * wave of a confirmed run that planned with changes, and that no policy objected to, is applied
 * without a second approval.
 */
async function advanceWaves(
  deps: Pick<PlanDeps, "runTransitions" | "components" | "queue" | "log">,
  run: RunView,
): Promise<boolean> {
  let moved = false;
  const confirmed = run.confirmedBy !== undefined;
  const inRun = new Map(run.components.map((c) => [c.componentId, c]));
  // Phases as this pass leaves them: a component blocked or refused here blocks its own
  // dependents in the same pass, since no job of theirs will come to advance the run again.
  const phaseOf = new Map(run.components.map((c) => [c.componentId, c.phase]));
  // Runs opened before `waitsFor` was recorded wait for their upstreams in the run.
  const upstreamsInRun = (component: RunComponentView) =>
    (component.spec.waitsFor ?? component.spec.dependsOn ?? []).flatMap((d) => {
      const upstream = inRun.get(d.componentId);
      return upstream ? [upstream] : [];
    });
  const name = (component: RunComponentView) => `${component.stack}@${run.environment}`;
  const release = async (
    component: RunComponentView,
    to: "QUEUED" | "BLOCKED" | "FAILED",
    cause: string,
  ): Promise<boolean> => {
    if (!(await deps.runTransitions.releaseDeferred(component.runComponentId, to, cause)))
      return false;
    phaseOf.set(component.componentId, to);
    moved = true;
    return true;
  };

  const deferred = run.components.filter((c) => c.phase === "DEFERRED");
  const heads = await deps.components.deployedHeads(deferred.map((c) => c.componentId));
  for (let progressed = true; progressed;) {
    progressed = false;
    for (const component of deferred) {
      if (phaseOf.get(component.componentId) !== "DEFERRED") continue;
      const upstreams = upstreamsInRun(component);
      const broken = upstreams.filter((u) => BROKEN.includes(phaseOf.get(u.componentId)!));
      if (broken.length > 0) {
        progressed =
          (await release(
            component,
            "BLOCKED",
            `blocked: upstream ${broken.map(name).join(", ")} did not apply`,
          )) || progressed;
        continue;
      }
      const ready =
        upstreams.every((u) => phaseOf.get(u.componentId) === "FINISHED") &&
        (confirmed || upstreams.every((u) => !u.applied));
      if (!ready) continue;
      if (
        (heads[component.componentId] ?? null) !== (run.baseHeads[component.componentId] ?? null)
      ) {
        progressed =
          (await release(component, "FAILED", staleWaveReason(name(component)))) || progressed;
        continue;
      }
      if (
        await release(
          component,
          "QUEUED",
          confirmed ? "upstream outputs are ready" : "upstreams have no changes",
        )
      ) {
        await enqueueRunComponent(
          deps.queue,
          { runComponentId: component.runComponentId, action: "plan" },
          component.componentId,
        );
      }
    }
  }
  if (!confirmed) return moved;

  // Planned with this run's fresh outputs: part of what the single approval approved.
  const nextWave = run.components.filter(
    (c) => c.phase === "UNCONFIRMED" && upstreamsInRun(c).some((u) => u.applied) && !objected(c),
  );
  if (nextWave.length > 0) {
    const wave = await deps.runTransitions.confirmWave(
      run.runId,
      nextWave.map((c) => c.runComponentId),
      run.confirmedBy!,
      "next wave of a confirmed run",
    );
    for (const component of run.components.filter((c) =>
      wave.confirmed.includes(c.runComponentId),
    )) {
      await enqueueRunComponent(
        deps.queue,
        { runComponentId: component.runComponentId, action: "apply" },
        component.componentId,
      );
    }
    if (wave.stale.length > 0) {
      deps.log.warn({ runId: run.runId, stale: wave.stale }, "later wave refused as stale");
    }
    moved = moved || wave.confirmed.length > 0 || wave.stale.length > 0;
  }
  return moved;
}

const BROKEN: readonly ComponentPhase[] = ["FAILED", "BLOCKED", "DISCARDED"];

async function findRun(deps: Pick<PlanDeps, "runViews">, runComponentId: string) {
  const runId = await deps.runViews.runOfComponent(runComponentId);
  return runId ? deps.runViews.runView(runId) : undefined;
}

/**
 * A policy warned or denied, or a custom step failed with `on_failure: warn`: a person must
 * confirm (invariant 6; docs/design.md "Custom steps").
 */
function objected(component: RunComponentView): boolean {
  return (
    (component.plan?.policyFindings ?? []).length > 0 ||
    (component.plan?.stepWarnings ?? []).length > 0
  );
}
