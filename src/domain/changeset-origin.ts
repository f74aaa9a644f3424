import type { ComponentChangeKind } from "./affected-components.js";
import type { ComponentSpec } from "./component-spec.js";
import type { ComponentPhase } from "./component-phase.js";
import { deriveRunStatus } from "./run-status.js";

/**
 * Changesets that replay or copy others (docs/design.md "Lifecycle": undo is a revert; promotion): the
 * trigger their runs carry, and the pure decisions behind `/revert` and `/promote`.
 */
export const REVERT_TRIGGER = "revert";
export const PROMOTE_TRIGGER = "promote";

/** A revision as a revert replays it. */
export interface ReplayableRevision {
  commitSha: string;
  inputs: Record<string, unknown>;
  spec: ComponentSpec;
}

/**
 * What reverting one component of a run replays: the revision before the run's (its commit and
 * its rendered inputs, fixed), or, when the run created the component, a destroy made with the
 * configuration it was created with.
 */
export function revertSpec(
  target: { applied: ReplayableRevision; previous: ReplayableRevision | undefined },
  current: Required<Pick<ComponentSpec, "policies" | "production" | "stackWideSecrets">>,
): { change: ComponentChangeKind; spec: ComponentSpec } {
  const spec = replaySpec(target.previous ?? target.applied, current);
  if (!target.previous) spec.destroy = true;
  return { change: target.previous ? "update" : "destroy", spec };
}

/**
 * A revision replayed as it was applied: its commit and its rendered inputs, fixed, never
 * autodeployed. Upstream inputs the revision recorded in clear are replayed as they were; only
 * sensitive ones (recorded by name only) are read again from the upstream. The dependency stays,
 * and with it the order of the waves. What the tracked branch decides today (its policies,
 * `production`, whether the environment receives stack-wide secrets) replaces what the revision
 * recorded.
 */
export function replaySpec(
  replayed: ReplayableRevision,
  current: Required<Pick<ComponentSpec, "policies" | "production" | "stackWideSecrets">>,
): ComponentSpec {
  const recorded = variablesOf(replayed.inputs) ?? {};
  const spec: ComponentSpec = {
    ...replayed.spec,
    variables: { ...replayed.spec.variables, ...recorded },
    sourceSha: replayed.commitSha,
    autodeploy: false,
    policies: current.policies,
    production: current.production,
    stackWideSecrets: current.stackWideSecrets,
  };
  delete spec.targets;
  delete spec.dependsOn;
  delete spec.destroy;
  // Which components of its own run it waited for: the new run places it in waves of its own.
  delete spec.waitsFor;
  const dependsOn = (replayed.spec.dependsOn ?? []).map((dependency) => ({
    ...dependency,
    inputs: Object.fromEntries(
      Object.entries(dependency.inputs).filter(([variable]) => !(variable in recorded)),
    ),
  }));
  if (dependsOn.length > 0) spec.dependsOn = dependsOn;
  return spec;
}

function variablesOf(inputs: Record<string, unknown>): Record<string, unknown> | undefined {
  const variables = inputs.variables;
  return variables !== null && typeof variables === "object" && !Array.isArray(variables)
    ? (variables as Record<string, unknown>)
    : undefined;
}

/** What choosing a promotion's source needs of a changeset's latest run. */
export interface PromotionCandidate {
  runId: string;
  changesetId: string | undefined;
  environment: string;
  commitSha: string;
  components: readonly {
    stack: string;
    changeKind: ComponentChangeKind;
    phase: ComponentPhase;
    applied: boolean;
  }[];
}

export type PromotionSource<T extends PromotionCandidate> =
  | { kind: "source"; run: T }
  | { kind: "not-applied"; environment: string | undefined; reason: string };

/**
 * The run whose changes `/promote ENV` copies: the pull request's latest run in `promote_from`
 * when ENV sets it, else in the environment that applied most recently (candidates come newest
 * first). It must have applied that exact change: every component finished, at the commit the
 * pull request now has (`headSha`; undefined once merged, when the applied commit is the change).
 */
export function choosePromotionSource<T extends PromotionCandidate>(
  candidates: readonly T[],
  target: string,
  promoteFrom: string | undefined,
  headSha: string | undefined,
): PromotionSource<T> {
  const others = candidates.filter((run) => run.environment !== target);
  const succeeded = (run: T) =>
    deriveRunStatus(run.components) === "SUCCEEDED" && run.components.some((c) => c.applied);
  if (promoteFrom !== undefined) {
    const latest = others.find((run) => run.environment === promoteFrom);
    if (latest === undefined || !succeeded(latest)) {
      return {
        kind: "not-applied",
        environment: promoteFrom,
        reason: `${target} is promoted from ${promoteFrom} (promote_from), and this pull request's change has not been applied in ${promoteFrom}: apply it there first`,
      };
    }
    if (headSha !== undefined && latest.commitSha !== headSha) {
      return {
        kind: "not-applied",
        environment: promoteFrom,
        reason: `${promoteFrom} applied ${latest.commitSha.slice(0, 7)}, but the pull request's head is now ${headSha.slice(0, 7)}: apply that change in ${promoteFrom} first`,
      };
    }
    return { kind: "source", run: latest };
  }
  const applied = others.find(
    (run) => succeeded(run) && (headSha === undefined || run.commitSha === headSha),
  );
  return applied
    ? { kind: "source", run: applied }
    : {
        kind: "not-applied",
        environment: undefined,
        reason: `this pull request's change has not been applied in any other environment yet: apply it somewhere first`,
      };
}
