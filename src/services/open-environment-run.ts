import type { RepoConfig } from "../config/repo-config.js";
import type { AffectedEnvironment } from "../domain/affected-components.js";
import type { ComponentSpec } from "../domain/component-spec.js";
import type { HclFinding } from "../runner/local-modules.js";
import type { NewRunComponent } from "./changeset-store.js";
import { enqueueRunComponent } from "./execute-run-component.js";
import type { PlanDeps } from "./plan-pull-request.js";
import { requestReport } from "./report-run.js";

/** Spacelift's variable of the same purpose: confirmed runs end without running apply. */
export const SKIP_APPLYING = "BOSUN_SKIP_APPLYING";

function skipApplying(variables: Readonly<Record<string, unknown>> | undefined): boolean {
  const value = variables?.[SKIP_APPLYING];
  return value === true || value === "true";
}

/** Variables for the engine: Bosun's own (BOSUN_*) steer Bosun and are not passed on. */
function engineVariables(variables: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(variables).filter(([name]) => !name.startsWith("BOSUN_")),
  );
}

/** Where a run comes from: a pull request (proposed, destroy) or a push (tracked). */
export interface RunOrigin {
  repositoryId: number;
  pullRequestNumber: number | undefined;
  commitSha: string;
  kind: "proposed" | "tracked" | "destroy";
  trigger: string;
  triggeredBy: string;
  targets?: readonly string[] | undefined;
}

/**
 * Opens (or re-bases) one environment's changeset and starts its run: a spec per component fixed
 * now (so a later bosun.yml cannot change a plan under review), DEFERRED for those whose upstream
 * changes in the same changeset, and, for tracked runs, held behind an earlier tracked run of the
 * same component that is still open, so tracked runs apply in commit order.
 */
export async function openEnvironmentRun(
  deps: PlanDeps,
  origin: RunOrigin,
  affected: AffectedEnvironment,
  context: {
    head: RepoConfig;
    base: RepoConfig | undefined;
    /** The commit whose config a removed stack is destroyed with. */
    baseSha: string;
    findings: HclFinding[];
  },
): Promise<string> {
  const environment = affected.environment;
  const stackConfig = (name: string) =>
    context.head.stacks.find((stack) => stack.name === name) ??
    context.base?.stacks.find((stack) => stack.name === name);
  const wanted = affected.components.map((component) => {
    const stack = stackConfig(component.stack)!;
    return {
      stack: stack.name,
      environment,
      dir: stack.dir,
      engine: stack.engine,
      production: context.head.environments[environment]?.production ?? false,
    };
  });
  // Upstreams are resolved to components too, for their deployed outputs.
  const upstreamNames = affected.components.flatMap((c) =>
    (stackConfig(c.stack)?.depends_on ?? []).map((d) => d.stack),
  );
  for (const name of upstreamNames) {
    const stack = stackConfig(name);
    if (stack && !wanted.some((w) => w.stack === name)) {
      wanted.push({
        stack: name,
        environment,
        dir: stack.dir,
        engine: stack.engine,
        production: false,
      });
    }
  }
  const ids = await deps.changesets.ensureComponents(origin.repositoryId, wanted);
  const componentIds = affected.components.map((c) => ids.get(`${c.stack}@${environment}`)!);
  const heads = await deps.changesets.deployedHeads([...ids.values()]);
  const inChangeset = new Set(affected.components.map((c) => c.stack));
  const held = new Set(
    origin.kind === "tracked" ? await deps.changesets.withOpenTrackedRuns(componentIds) : [],
  );

  const components: NewRunComponent[] = affected.components.map((component, index) => {
    const stack = stackConfig(component.stack)!;
    const fromBase = component.change === "destroy" || component.change === "orphan";
    const dependsOn = stack.depends_on.map((dependency) => ({
      stack: dependency.stack,
      componentId: ids.get(`${dependency.stack}@${environment}`)!,
      inputs: dependency.inputs,
    }));
    const spec: ComponentSpec = {
      stack: stack.name,
      environment,
      dir: stack.dir,
      engine: stack.engine,
      varFiles: stack.var_files,
      variables: engineVariables(context.head.environments[environment]?.variables ?? {}),
      state: stack.state,
      autodeploy: stack.autodeploy,
      production: context.head.environments[environment]?.production ?? false,
      policies: context.head.policies,
      ...(skipApplying(context.head.environments[environment]?.variables)
        ? { skipApplying: true }
        : {}),
      ...(component.change === "destroy" ? { destroy: true } : {}),
      ...(fromBase ? { sourceSha: context.baseSha } : {}),
      ...(origin.targets?.length ? { targets: [...origin.targets] } : {}),
      ...(dependsOn.length ? { dependsOn } : {}),
    };
    const waitsFor = dependsOn.filter(
      (d) => inChangeset.has(d.stack) || (heads[d.componentId] ?? null) === null,
    );
    const base = { componentId: componentIds[index]!, changeKind: component.change, spec };
    if (component.change === "orphan") {
      return {
        ...base,
        phase: "FINISHED",
        note: "orphaned: Bosun stops managing it; its resources are left in place",
      };
    }
    if (waitsFor.length > 0) {
      return {
        ...base,
        phase: "DEFERRED",
        note: `waits for the outputs of ${waitsFor.map((d) => d.stack).join(", ")}`,
      };
    }
    if (origin.kind === "tracked" && held.has(base.componentId)) {
      return {
        ...base,
        phase: "QUEUED",
        held: true,
        note: "queued behind an earlier tracked run of this component",
      };
    }
    return { ...base, phase: "QUEUED" };
  });

  const opened = await deps.changesets.openChangesetRun({
    repositoryId: origin.repositoryId,
    pullRequestNumber: origin.pullRequestNumber,
    environment,
    headSha: origin.commitSha,
    baseHeads: Object.fromEntries(componentIds.map((id) => [id, heads[id] ?? null])),
    run: {
      kind: origin.kind,
      commitSha: origin.commitSha,
      trigger: origin.trigger,
      triggeredBy: origin.triggeredBy,
      scanFindings: context.findings,
    },
    components,
  });
  for (const runId of opened.supersededRunIds) await requestReport(deps.queue, runId);
  await requestReport(deps.queue, opened.runId);
  for (const component of opened.components) {
    if (component.phase !== "QUEUED" || held.has(component.componentId)) continue;
    await enqueueRunComponent(
      deps.queue,
      { runComponentId: component.id, action: "plan" },
      component.componentId,
    );
  }
  return opened.runId;
}

/**
 * Everything in the head that runs code or reaches out during plan, except providers the base
 * already used: a new provider is a new binary that the plan will download and run.
 */
export function preplanFindings(head: HclFinding[], base: HclFinding[]): HclFinding[] {
  const knownProviders = new Set(base.filter((f) => f.kind === "provider").map((f) => f.name));
  return head.filter((finding) => finding.kind !== "provider" || !knownProviders.has(finding.name));
}
