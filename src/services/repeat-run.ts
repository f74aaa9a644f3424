import type { ComponentSpec } from "../domain/component-spec.js";
import { pullRequestRef } from "../domain/git-ref.js";
import type { HclFinding } from "../domain/hcl-finding.js";
import {
  replayedPlacement,
  startChangesetRun,
  type ComponentToRun,
} from "./open-environment-run.js";
import type { PlanDeps } from "./plan-deps.js";
import type { RunView } from "./run-view-port.js";

/** What a spec holds about its place in one run: the new run works it out again. */
function withoutRunPlacement(spec: ComponentSpec): ComponentSpec {
  const { dependsOn: _dependsOn, waitsFor: _waitsFor, ...rest } = spec;
  return rest;
}

/**
 * A new run of the same kind, commit, components and specs (so the same variables, runtime config,
 * targets and source commits) as `run`, linked to it: the Re-run of every run that is not a pull
 * request's plan. Specs are fixed when a run is created, so repeating them repeats the run exactly;
 * orphaned components are left out, as there is nothing of them to run. The caller has checked
 * that `actor` may write.
 */
export async function repeatRun(deps: PlanDeps, run: RunView, actor: string): Promise<string> {
  const components = run.components.filter((component) => component.changeKind !== "orphan");
  const specOf = new Map(components.map((component) => [component.stack, component.spec]));
  const toRun: ComponentToRun[] = components.map((component) => ({
    stack: component.stack,
    change: component.changeKind,
    spec: withoutRunPlacement(component.spec),
  }));
  const ref = components.find((component) => component.spec.ref)?.spec.ref;
  return startChangesetRun(
    deps,
    {
      repositoryId: run.repositoryId,
      pullRequestNumber: run.pullRequestNumber,
      commitSha: run.commitSha,
      kind: run.kind,
      trigger: run.trigger,
      triggeredBy: actor,
      ref:
        ref ??
        (run.pullRequestNumber === undefined ? undefined : pullRequestRef(run.pullRequestNumber)),
      repeatsRunId: run.runId,
      ...(run.runtimeConfig ? { runtimeConfig: run.runtimeConfig } : {}),
    },
    run.environment,
    toRun,
    {
      ...replayedPlacement(specOf),
      production: run.production,
      findings: run.scanFindings as HclFinding[],
    },
  );
}
