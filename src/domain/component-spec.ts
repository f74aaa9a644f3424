import type { CloudSettings } from "./cloud-settings.js";
import type { CustomSteps } from "./custom-step.js";
import type { EngineKind } from "./engine-kind.js";
/**
 * What a run executes for one component, fixed when the run is created so a later change to
 * `bosun.yml` cannot alter a plan under review.
 */
export interface ComponentSpec {
  stack: string;
  environment: string;
  /** Repo-relative POSIX path of the root module. */
  dir: string;
  engine: EngineKind;
  /**
   * The stack's `engine_version` constraint; unset: the configuration's own `required_version`,
   * else the operator's default engine.
   */
  engineVersion?: string;
  /** Var files relative to `dir`, `${environment}` still unrendered. */
  varFiles: string[];
  /** Non-secret variables, passed as TF_VAR_*. */
  variables: Record<string, unknown>;
  /** A runtime config's non-secret environment variables (never Bosun's own names). */
  env?: Record<string, string>;
  /** `managed`: Bosun's http state backend; `own`: the stack's declared backend; unset: managed unless one is declared. */
  state: "managed" | "own" | undefined;
  /** With `own` state: `-backend-config` settings for init, `${environment}` still unrendered. */
  backendConfig?: Record<string, string>;
  /** With `own` state: the workspace selected before plan and apply, `${environment}` unrendered. */
  workspace?: string;
  /** `engine: terragrunt`: `engine` runs through Terragrunt (always on the whole checkout). */
  terragrunt?: true;
  /** `full`: the engine sees the whole checkout; unset: the stack's dir and what it uses. */
  source?: "full";
  /** Plan in destroy mode (a `destroy` change: the stack or environment was removed). */
  destroy?: boolean;
  /** `/replan -target=…`: limit the plan to these resource addresses. */
  targets?: string[];
  /** The commit whose source to run when it differs from the run's (a removed stack's last config). */
  sourceSha?: string;
  /** The stack's `autodeploy` (from the tracked branch): skip UNCONFIRMED when no policy objected. */
  autodeploy?: boolean;
  /** The tracked branch's plan policies, evaluated against this component's plan. */
  policies?: readonly {
    name: string;
    deny?: string | undefined;
    warn?: string | undefined;
    message?: string | undefined;
  }[];
  /** The environment is marked `production` in bosun.yml (policies and deployments read it). */
  production?: boolean;
  /** The tracked branch's `cloud` for this stack and environment: the roles its phases assume. */
  cloud?: CloudSettings;
  /** The tracked branch's custom steps for this stack, hook by hook (docs/design.md "Custom steps"). */
  steps?: CustomSteps;
  /** The pull request changes this stack's custom steps: shown, run once merged. */
  stepsPending?: boolean;
  /** The git ref the run's commit was reached by; absent on specs made before it was recorded. */
  ref?: string;
  /**
   * Whether the stack's stack-wide secrets reach this component: only when the tracked branch's
   * bosun.yml declares the environment for the stack (docs/security.md). A pull request that adds
   * an environment gets only the secrets an operator set for that environment by name.
   * Read it with {@link receivesStackWideSecrets}: specs made before it existed lack it.
   */
  stackWideSecrets?: boolean;
  /** BOSUN_SKIP_APPLYING: a confirmed run ends without running apply. */
  skipApplying?: boolean;
  /** Upstream components whose outputs feed this one: `inputs` maps variable → upstream output. */
  dependsOn?: { stack: string; componentId: string; inputs: Record<string, string> }[];
  /**
   * The components of the same run this one waits for (DEFERRED until they finish): its upstreams
   * that change in the run, or, for a destroy, its downstreams destroyed in the run.
   */
  waitsFor?: { stack: string; componentId: string }[];
}

/**
 * A spec without `stackWideSecrets` was fixed before secrets had environments, when every
 * component received its stack's secrets: such a run (a plan under review, a revision a revert
 * replays) keeps doing so rather than lose, mid-review, credentials its plan was made with.
 */
export function receivesStackWideSecrets(spec: Pick<ComponentSpec, "stackWideSecrets">): boolean {
  return spec.stackWideSecrets ?? true;
}

/** Renders `${environment}` in a var file path, backend setting or workspace (docs/design.md `var_files`). */
export function renderForEnvironment(template: string, environment: string): string {
  return template.replaceAll("${environment}", environment);
}

/** A variable value as the engine reads it from TF_VAR_*: strings raw, the rest as HCL-compatible JSON. */
export function variableToEnv(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
