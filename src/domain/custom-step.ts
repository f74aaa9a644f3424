/**
 * Custom steps (docs/design.md "Custom steps"): shell commands the tracked branch's bosun.yml runs
 * around a component's phases, in the engine's sandbox and environment.
 */

/** Where a step runs: before or after `init`, `plan` or `apply`. */
export const STEP_HOOKS = [
  "before_init",
  "after_init",
  "before_plan",
  "after_plan",
  "before_apply",
  "after_apply",
] as const;
export type StepHook = (typeof STEP_HOOKS)[number];

/** What a failing step does: fail the phase, or show a warning that holds autodeploy. */
export const STEP_FAILURE_MODES = ["fail", "warn"] as const;
export type StepFailureMode = (typeof STEP_FAILURE_MODES)[number];

export interface CustomStep {
  readonly name: string;
  /** Given to `sh -c`. */
  readonly run: string;
  readonly onFailure: StepFailureMode;
}

/** A component's steps, hook by hook; a missing hook runs nothing. */
export type CustomSteps = Partial<Record<StepHook, readonly CustomStep[]>>;

/** One hook's list as bosun.yml writes it. */
type StepLists = Partial<
  Record<StepHook, readonly { name: string; run: string; on_failure: StepFailureMode }[]>
>;

/**
 * The steps a stack runs: per hook, the stack's own list when it has one (even an empty one, which
 * turns the repository-wide list off for that stack), else the repository-wide list.
 */
export function resolveSteps(
  repositoryWide: StepLists | undefined,
  stack: StepLists | undefined,
): CustomSteps {
  const resolved: Partial<Record<StepHook, CustomStep[]>> = {};
  for (const hook of STEP_HOOKS) {
    const list = stack?.[hook] ?? repositoryWide?.[hook] ?? [];
    if (list.length === 0) continue;
    resolved[hook] = list.map((step) => ({
      name: step.name,
      run: step.run,
      onFailure: step.on_failure,
    }));
  }
  return resolved;
}

/** Whether two resolved step sets run the same commands in the same way. */
export function sameSteps(a: CustomSteps, b: CustomSteps): boolean {
  return STEP_HOOKS.every(
    (hook) => JSON.stringify(a[hook] ?? []) === JSON.stringify(b[hook] ?? []),
  );
}

/** The lifecycle phase a hook's steps belong to: they are entries of its part of the timeline. */
export const HOOK_PHASES = {
  before_init: "INITIALIZING",
  after_init: "INITIALIZING",
  before_plan: "PLANNING",
  after_plan: "PLANNING",
  before_apply: "APPLYING",
  after_apply: "APPLYING",
} as const satisfies Record<StepHook, "INITIALIZING" | "PLANNING" | "APPLYING">;
export type StepPhase = (typeof HOOK_PHASES)[StepHook];
