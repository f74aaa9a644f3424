import { resolveSteps, sameSteps } from "../domain/custom-step.js";
import type { EnvironmentConfig, RepoConfig } from "./repo-config.js";

/**
 * The settings every repository gets when its tracked branch has no bosun.yml (yet): the PR that
 * introduces Bosun, say.
 *
 * - `requirements: []`: no requirement beyond the one that always holds, that only users with
 *   write permission apply (docs/design.md "GitHub surface"), which is what a repository without
 *   rules has agreed to. Demanding `approved` here would lock out single-maintainer repositories
 *   before they could merge the file that relaxes it, and it is the file on the tracked branch,
 *   reviewed like any other change, that should raise the bar.
 * - `approve_on_review: false`, `allow_forks: false`: each would widen who can make Bosun act,
 *   so neither is granted before the tracked branch asks for it.
 * - no policies: there is nothing trusted to evaluate; a PR's own policies bind once merged.
 * - `autodeploy` off for every stack: autodeploy skips the approval gate.
 */
export const UNTRUSTED_DEFAULTS = {
  apply: { requirements: [], approvals: 1, approve_on_review: false, allow_forks: false },
  policies: [],
} as const satisfies Pick<RepoConfig, "apply" | "policies">;

/**
 * The configuration a pull request runs under (docs/design.md "Trust"): what to run comes from the PR
 * head, who may do what comes from the tracked branch.
 *
 * From the head: `version`, the stacks (their code and settings) and the environments with their
 * variables. From the tracked branch: `tracked_branch`, `apply` (requirements, approve_on_review,
 * allow_forks), `policies`, `notifications`, `steps` (repository-wide and each stack's), every `cloud` (the roles a plan assumes) and `drift` (schedules and
 * reconcile runs), each stack's `autodeploy` (it skips the approval gate; off for a stack
 * the tracked branch does not have), and each environment's `production` and `promote_from` when
 * the tracked branch declares that environment (where a change may go and how carefully); an
 * environment the tracked branch lacks keeps the head's, there being nothing to defer to.
 *
 * `trackedConfig` is undefined only when the tracked branch has no bosun.yml; see
 * {@link UNTRUSTED_DEFAULTS}. A tracked bosun.yml that does not parse leaves the rules unknown:
 * the caller must refuse rather than pass undefined.
 */
export function splitTrust(
  headConfig: RepoConfig,
  trackedConfig: RepoConfig | undefined,
): RepoConfig {
  const trustedStacks = new Map(trackedConfig?.stacks.map((stack) => [stack.name, stack]));
  const environments: Record<string, EnvironmentConfig> = {};
  for (const [env, settings] of Object.entries(headConfig.environments)) {
    // Names such as "constructor" are valid: look up own keys only.
    const trusted =
      trackedConfig !== undefined && Object.hasOwn(trackedConfig.environments, env)
        ? trackedConfig.environments[env]
        : undefined;
    environments[env] =
      trusted === undefined
        ? settings
        : {
            ...settings,
            production: trusted.production,
            promote_from: trusted.promote_from,
          };
    // `cloud` picks the roles a plan assumes: a pull request must not point its plan elsewhere.
    // `drift` schedules runs and may open tracked runs (reconcile): the tracked branch's alone.
    const { cloud: _headCloud, drift: _headDrift, ...untrusted } = environments[env];
    environments[env] = {
      ...untrusted,
      ...(trusted?.cloud ? { cloud: trusted.cloud } : {}),
      ...(trusted?.drift ? { drift: trusted.drift } : {}),
    };
  }
  const { steps: _headSteps, ...headRest } = headConfig;
  return {
    ...headRest,
    tracked_branch: trackedConfig?.tracked_branch,
    environments,
    apply: trackedConfig?.apply ?? {
      ...UNTRUSTED_DEFAULTS.apply,
      requirements: [...UNTRUSTED_DEFAULTS.apply.requirements],
    },
    policies: trackedConfig?.policies ?? [...UNTRUSTED_DEFAULTS.policies],
    // Who is told of runs, and with which secret: a pull request must not add a receiver.
    notifications: trackedConfig?.notifications ?? [],
    // Custom steps run commands with the phase's secrets and cloud identity: only the tracked
    // branch's, so that a pull request gains no power beyond its plan's.
    ...(trackedConfig?.steps ? { steps: trackedConfig.steps } : {}),
    stacks: headConfig.stacks.map(({ cloud: _headCloud, steps: _headSteps, ...stack }) => {
      const trusted = trustedStacks.get(stack.name);
      return {
        ...stack,
        autodeploy: trusted?.autodeploy ?? false,
        ...(trusted?.cloud ? { cloud: trusted.cloud } : {}),
        ...(trusted?.steps ? { steps: trusted.steps } : {}),
      };
    }),
  };
}

/**
 * Whether the tracked branch's bosun.yml runs `stack` in `environment`. Only such a component
 * receives the stack's stack-wide secrets (ComponentSpec.stackWideSecrets): a pull request can add
 * an environment to a stack, and its plan, which runs the pull request's code, would otherwise
 * receive credentials an operator set for the environments the team reviewed. `trackedConfig` is
 * undefined when the tracked branch has no bosun.yml: then it declares nothing.
 */
export function tracksEnvironment(
  trackedConfig: RepoConfig | undefined,
  stack: string,
  environment: string,
): boolean {
  return (
    trackedConfig?.stacks.some(
      (candidate) => candidate.name === stack && candidate.environments.includes(environment),
    ) ?? false
  );
}

/**
 * The stacks of the pull request's own bosun.yml whose custom steps differ from those the tracked
 * branch runs for them: the pull request changes them, and they take effect once merged.
 */
export function stacksWithPendingSteps(
  headConfig: RepoConfig,
  trackedConfig: RepoConfig | undefined,
): string[] {
  const trustedStacks = new Map(trackedConfig?.stacks.map((stack) => [stack.name, stack]));
  return headConfig.stacks
    .filter(
      (stack) =>
        !sameSteps(
          resolveSteps(headConfig.steps, stack.steps),
          resolveSteps(trackedConfig?.steps, trustedStacks.get(stack.name)?.steps),
        ),
    )
    .map((stack) => stack.name);
}
