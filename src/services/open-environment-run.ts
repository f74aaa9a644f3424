import type { RepoConfig } from "../config/repo-config.js";
import type { RuntimeConfig } from "../config/runtime-config.js";
import { tracksEnvironment } from "../config/split-trust.js";
import type { AffectedEnvironment, ComponentChangeKind } from "../domain/affected-components.js";
import { resolveCloudSettings, type CloudSettings } from "../domain/cloud-settings.js";
import type { ComponentSpec } from "../domain/component-spec.js";
import { resolveSteps } from "../domain/custom-step.js";
import { deferredNote, placeInWaves } from "../domain/dependency-waves.js";
import type { HclFinding } from "../domain/hcl-finding.js";
import type { NewChangesetRun, NewRunComponent } from "./changeset-port.js";
import { enqueueRunComponent } from "./execute-run-component.js";
import type { PlanDeps } from "./plan-deps.js";
import { requestReport } from "./reporter/index.js";
import type { RunKind } from "../domain/run-kind.js";
import type { EngineKind } from "../domain/engine-kind.js";

/** Spacelift's variable of the same purpose: confirmed runs end without running apply. */
export const SKIP_APPLYING = "BOSUN_SKIP_APPLYING";

/** The spec's `cloud`, left out when neither the environment nor the stack names one. */
function cloudOf(
  environment: CloudSettings | undefined,
  stack: CloudSettings | undefined,
): { cloud?: CloudSettings } {
  const cloud = resolveCloudSettings(environment, stack);
  return cloud ? { cloud } : {};
}

/** `-target` addresses: a runtime config's replace the command's. */
function targetsOf(origin: RunOrigin): string[] {
  return [...(origin.runtimeConfig?.targets ?? origin.targets ?? [])];
}

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
  kind: RunKind;
  trigger: string;
  triggeredBy: string;
  /**
   * The git ref the commit was reached by (`refs/pull/7/head`, `refs/heads/main`): the phase
   * token's `ref` claim, which a cloud's trust policy may match. Undefined only when repeating a
   * run recorded before refs were.
   */
  ref: string | undefined;
  targets?: readonly string[] | undefined;
  /** A trigger's overrides for this run alone (stack page, HTTP API, CLI, a re-run of one). */
  runtimeConfig?: RuntimeConfig | undefined;
  /** The API token a machine user started the run with. */
  triggeredByTokenId?: string | undefined;
  /** The run this one repeats (Re-run), linked from both run pages. */
  repeatsRunId?: string | undefined;
  /** A revert or a promotion: the changeset it replays or copies (NewChangesetRun.origin). */
  replays?: NewChangesetRun["origin"];
}

/** One component of a new run before waves and heads are known. */
export interface ComponentToRun {
  stack: string;
  change: ComponentChangeKind;
  spec: ComponentSpec;
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
    /**
     * The tracked branch's configuration (undefined when it has none): the components of the
     * stacks and environments it declares receive their stack's stack-wide secrets.
     */
    tracked: RepoConfig | undefined;
    /** The commit whose config a removed stack is destroyed with. */
    baseSha: string;
    findings: HclFinding[];
    /** The stacks whose custom steps the pull request changes: they run once it is merged. */
    pendingSteps?: readonly string[];
  },
): Promise<string> {
  const environment = affected.environment;
  const stackConfig = (name: string) =>
    context.head.stacks.find((stack) => stack.name === name) ??
    context.base?.stacks.find((stack) => stack.name === name);
  const production = context.head.environments[environment]?.production ?? false;
  const runtime = origin.runtimeConfig;
  const variables = { ...context.head.environments[environment]?.variables, ...runtime?.variables };
  const toRun: ComponentToRun[] = affected.components.map((component) => {
    const stack = stackConfig(component.stack)!;
    const fromBase = component.change === "destroy" || component.change === "orphan";
    const spec: ComponentSpec = {
      stack: stack.name,
      environment,
      dir: stack.dir,
      engine: stack.engine,
      ...(stack.engine_version ? { engineVersion: stack.engine_version } : {}),
      varFiles: stack.var_files,
      variables: engineVariables(variables),
      ...(runtime?.env && Object.keys(runtime.env).length ? { env: { ...runtime.env } } : {}),
      state: stack.state,
      ...(stack.backend_config ? { backendConfig: { ...stack.backend_config } } : {}),
      ...(stack.workspace !== undefined ? { workspace: stack.workspace } : {}),
      ...(stack.source === "full" ? { source: "full" as const } : {}),
      ...(stack.terragrunt ? { terragrunt: true as const } : {}),
      autodeploy: stack.autodeploy,
      production,
      policies: context.head.policies,
      stackWideSecrets: tracksEnvironment(context.tracked, stack.name, environment),
      ...cloudOf(context.head.environments[environment]?.cloud, stack.cloud),
      ...stepsOf(context.tracked, stack.name),
      ...(context.pendingSteps?.includes(stack.name) ? { stepsPending: true } : {}),
      ...((runtime?.skip_apply ?? skipApplying(variables)) ? { skipApplying: true } : {}),
      ...(component.change === "destroy" ? { destroy: true } : {}),
      ...(fromBase ? { sourceSha: context.baseSha } : {}),
      ...(targetsOf(origin).length ? { targets: targetsOf(origin) } : {}),
    };
    return { stack: stack.name, change: component.change, spec };
  });
  const upstreams = (name: string) =>
    (stackConfig(name)?.depends_on ?? []).map((dependency) => ({
      stack: dependency.stack,
      inputs: dependency.inputs,
    }));
  return startChangesetRun(deps, origin, environment, toRun, {
    upstreams,
    stackOf: (name) => {
      const stack = stackConfig(name);
      return stack && { dir: stack.dir, engine: stack.engine };
    },
    production,
    findings: context.findings,
  });
}

/**
 * Where components whose specs are replayed (a revert, a drift check, a re-run) sit in their new
 * run: their upstreams and directories as their own specs recorded them.
 */
export function replayedPlacement(
  specOf: ReadonlyMap<string, ComponentSpec>,
): Pick<Parameters<typeof startChangesetRun>[4], "upstreams" | "stackOf"> {
  return {
    upstreams: (stack) => specOf.get(stack)?.dependsOn ?? [],
    stackOf: (stack) => {
      const spec = specOf.get(stack);
      return spec && { dir: spec.dir, engine: spec.engine };
    },
  };
}

/**
 * Starts the run of a changeset whose component specs are already made (from bosun.yml, or from
 * revisions a revert replays): resolves upstreams to components, places every component in its
 * dependency wave (DEFERRED beyond the first), records the deployed heads it is based on, and
 * queues the plans of the first wave.
 */
export async function startChangesetRun(
  deps: PlanDeps,
  origin: RunOrigin,
  environment: string,
  toRun: readonly ComponentToRun[],
  context: {
    /**
     * A stack's `depends_on`: upstream stack and input variable → upstream output, and the
     * upstream's component when it is known already (a revision's spec names it).
     */
    upstreams: (stack: string) => {
      stack: string;
      inputs: Readonly<Record<string, string>>;
      componentId?: string;
    }[];
    stackOf: (stack: string) => { dir: string; engine: EngineKind } | undefined;
    production: boolean;
    findings: HclFinding[];
  },
): Promise<string> {
  const wanted = toRun.map((component) => ({
    stack: component.stack,
    environment,
    dir: component.spec.dir,
    engine: component.spec.engine,
    production: context.production,
  }));
  // Upstreams are resolved to components too, for their deployed outputs.
  for (const component of toRun) {
    for (const upstream of context.upstreams(component.stack)) {
      const stack = context.stackOf(upstream.stack);
      if (stack && !wanted.some((w) => w.stack === upstream.stack)) {
        wanted.push({
          stack: upstream.stack,
          environment,
          ...stack,
          production: context.production,
        });
      }
    }
  }
  const ids = await deps.components.ensureComponents(origin.repositoryId, wanted);
  const componentIds = toRun.map((c) => ids.get(`${c.stack}@${environment}`)!);
  const heads = await deps.components.deployedHeads([...ids.values()]);
  const held = new Set(
    origin.kind === "tracked" ? await deps.components.withOpenTrackedRuns(componentIds) : [],
  );
  const waves = placeInWaves(
    toRun.map((component) => ({
      stack: component.stack,
      change: component.change,
      upstreams: context.upstreams(component.stack).map((upstream) => upstream.stack),
    })),
  );

  const components: NewRunComponent[] = toRun.map((component, index) => {
    const dependsOn = context.upstreams(component.stack).flatMap((dependency) => {
      const componentId = ids.get(`${dependency.stack}@${environment}`) ?? dependency.componentId;
      return componentId === undefined
        ? []
        : [{ stack: dependency.stack, componentId, inputs: { ...dependency.inputs } }];
    });
    const { wave, waitsFor } = waves.get(component.stack)!;
    const spec: ComponentSpec = {
      ...component.spec,
      ...(origin.ref ? { ref: origin.ref } : {}),
      ...(dependsOn.length ? { dependsOn } : {}),
      ...(waitsFor.length
        ? {
            waitsFor: waitsFor.map((stack) => ({
              stack,
              componentId: ids.get(`${stack}@${environment}`)!,
            })),
          }
        : {}),
    };
    const base = { componentId: componentIds[index]!, changeKind: component.change, spec, wave };
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
        note: deferredNote(waitsFor, environment, component.change === "destroy"),
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
      triggeredByTokenId: origin.triggeredByTokenId,
      runtimeConfig: origin.runtimeConfig,
      repeatsRunId: origin.repeatsRunId,
      scanFindings: context.findings,
    },
    components,
    ...(origin.replays ? { origin: origin.replays } : {}),
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

/** The tracked branch's custom steps for a stack (docs/design.md "Trust"), when it has any. */
function stepsOf(tracked: RepoConfig | undefined, stack: string): Pick<ComponentSpec, "steps"> {
  const own = tracked?.stacks.find((candidate) => candidate.name === stack)?.steps;
  const steps = resolveSteps(tracked?.steps, own);
  return Object.keys(steps).length > 0 ? { steps } : {};
}
