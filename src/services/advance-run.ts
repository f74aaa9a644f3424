import type { ComponentPhase } from "../domain/component-phase.js";
import { isTerminal } from "../domain/run-status.js";
import { startApplying } from "./apply-pull-request.js";
import { enqueueRunComponent } from "./execute-run-component.js";
import type { RunView } from "./changeset-store.js";
import type { PlanDeps } from "./plan-pull-request.js";

const PLANNING: readonly ComponentPhase[] = ["QUEUED", "PREPARING", "INITIALIZING", "PLANNING"];
export const AUTODEPLOY_ACTOR = "bosun (autodeploy)";

/**
 * What follows a component's job: the next tracked run held behind this component starts; a
 * tracked run whose plans are all done applies, without the gate, the components whose stack
 * autodeploys and whose plan no policy warned about or denied (invariant 6); a new deployed head
 * makes other runs waiting on this component stale, so their reports are refreshed.
 */
export async function advanceRun(deps: PlanDeps, runComponentId: string): Promise<string[]> {
  const toReport = new Set<string>();
  const run = await findRun(deps, runComponentId);
  if (!run) return [];
  toReport.add(run.runId);
  const component = run.components.find((c) => c.runComponentId === runComponentId)!;

  if (isTerminal(component.phase)) {
    const next = await deps.changesets.releaseNextHeld(component.componentId);
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
    for (const runId of await deps.changesets.runsAwaitingOn(component.componentId, run.runId))
      toReport.add(runId);
  }

  // After the run's single approval it walks the dependency graph on its own (DESIGN.md).
  if (run.confirmedBy !== undefined) {
    if (await advanceWaves(deps, run)) toReport.add(run.runId);
  }

  const planningDone = !run.components.some((c) => PLANNING.includes(c.phase));
  if (run.kind === "tracked" && planningDone) {
    const eligible = run.components.filter(
      (c) =>
        c.phase === "UNCONFIRMED" &&
        c.spec.autodeploy === true &&
        (c.plan?.policyFindings ?? []).length === 0,
    );
    if (eligible.length > 0) {
      const confirmed = await deps.changesets.confirm(
        run.runId,
        eligible.map((c) => c.runComponentId),
        AUTODEPLOY_ACTOR,
        "autodeploy: no policy warned or denied",
      );
      if (confirmed.length > 0) {
        const api = await deps.github(run.installationId, run.repositoryFullName);
        await startApplying(deps, api, run, confirmed);
      }
    }
  }
  return [...toReport];
}

/**
 * The next wave of a confirmed run: a DEFERRED component whose upstreams in the run all finished
 * is planned (its inputs now come from their fresh outputs); one whose upstream failed, was
 * blocked or discarded is BLOCKED. A component of a later wave that planned with changes and that
 * no policy objected to is applied without a second approval.
 */
async function advanceWaves(deps: PlanDeps, run: RunView): Promise<boolean> {
  let moved = false;
  const phaseOf = new Map(run.components.map((c) => [c.componentId, c.phase]));
  for (const component of run.components.filter((c) => c.phase === "DEFERRED")) {
    const upstreams = (component.spec.dependsOn ?? []).filter((d) => phaseOf.has(d.componentId));
    const broken = upstreams.filter((d) =>
      ["FAILED", "BLOCKED", "DISCARDED"].includes(phaseOf.get(d.componentId)!),
    );
    if (broken.length > 0) {
      moved =
        (await deps.changesets.releaseDeferred(
          component.runComponentId,
          "BLOCKED",
          `blocked: upstream ${broken.map((d) => `${d.stack}@${run.environment}`).join(", ")} did not apply`,
        )) || moved;
      continue;
    }
    if (upstreams.every((d) => phaseOf.get(d.componentId) === "FINISHED")) {
      if (
        await deps.changesets.releaseDeferred(
          component.runComponentId,
          "QUEUED",
          "upstream outputs are ready",
        )
      ) {
        await enqueueRunComponent(
          deps.queue,
          { runComponentId: component.runComponentId, action: "plan" },
          component.componentId,
        );
        moved = true;
      }
    }
  }
  const nextWave = run.components.filter(
    (c) =>
      c.phase === "UNCONFIRMED" &&
      (c.spec.dependsOn ?? []).some((d) => phaseOf.has(d.componentId)) &&
      (c.plan?.policyFindings ?? []).length === 0,
  );
  if (nextWave.length > 0) {
    const confirmed = await deps.changesets.confirm(
      run.runId,
      nextWave.map((c) => c.runComponentId),
      run.confirmedBy!,
      "next wave of a confirmed run",
    );
    for (const component of run.components.filter((c) => confirmed.includes(c.runComponentId))) {
      await enqueueRunComponent(
        deps.queue,
        { runComponentId: component.runComponentId, action: "apply" },
        component.componentId,
      );
    }
    moved = moved || confirmed.length > 0;
  }
  return moved;
}

async function findRun(deps: PlanDeps, runComponentId: string) {
  const runId = await deps.changesets.runOfComponent(runComponentId);
  return runId ? deps.changesets.runView(runId) : undefined;
}
