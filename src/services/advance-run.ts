import type { ComponentPhase } from "../domain/component-phase.js";
import { isTerminal } from "../domain/run-status.js";
import { startApplying } from "./apply-pull-request.js";
import { enqueueRunComponent } from "./execute-run-component.js";
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

async function findRun(deps: PlanDeps, runComponentId: string) {
  const runId = await deps.changesets.runOfComponent(runComponentId);
  return runId ? deps.changesets.runView(runId) : undefined;
}
