import type { ComponentChangeKind } from "../domain/affected-components.js";
import type { ComponentPhase } from "../domain/component-phase.js";
import type { PlanDeltaCounts } from "../domain/plan-summary.js";
import type { RunStatus } from "../domain/run-status.js";
import type { RunKind } from "../domain/run-kind.js";

/*
 * What the renderers take: one changeset's run as a reader sees it, decoupled from the database
 * rows so that rendering stays a pure function of plain data (services build a ChangesetReport
 * from the store; the renderers never see a row). Every string here is treated as untrusted
 * (it comes from the pull request, the engine or the repo config) and escaped where it is shown,
 * except `runUrl`, which Bosun builds from BOSUN_PUBLIC_URL.
 */

/** docs/design.md "Nouns", Run. */

// The lifecycle's closed sets are the domain's; re-exported so a renderer's caller needs one import.
export { COMPONENT_PHASES, type ComponentPhase } from "../domain/component-phase.js";
export { RUN_STATUSES, type RunStatus } from "../domain/run-status.js";
export {
  COMPONENT_CHANGE_KINDS,
  type ComponentChangeKind as ChangeKind,
} from "../domain/affected-components.js";

/** The engines' diagnostic severities (`UiDiagnosticBody.severity`). */
export const diagnosticSeverities = ["error", "warning"] as const;
export type DiagnosticSeverity = (typeof diagnosticSeverities)[number];

export const policyLevels = ["deny", "warn"] as const;
export type PolicyLevel = (typeof policyLevels)[number];

/** Which half of the run a component failed in, when the caller knows; it only words reports. */
export const failureStages = ["plan", "apply"] as const;
export type FailureStage = (typeof failureStages)[number];

/**
 * One engine diagnostic, flattened from `UiDiagnosticBody`: `filename` and `line` are
 * `range.filename` and `range.start.line`, `endLine` is `range.end.line`. `filename` is relative
 * to the component's `dir`, because the engine runs there.
 */
export interface ReportDiagnostic {
  readonly severity: DiagnosticSeverity;
  readonly summary: string;
  readonly detail?: string | undefined;
  readonly filename?: string | undefined;
  readonly line?: number | undefined;
  readonly endLine?: number | undefined;
}

export interface PolicyFinding {
  /** The policy's `name` in bosun.yml. */
  readonly policy: string;
  readonly level: PolicyLevel;
  readonly message: string;
}

/** One construct that runs code or reaches out during plan (`HclFinding` in src/runner). */
export interface ScanFinding {
  /**
   * `external-data-source`, `local-exec`, `provisioner`, `provider`, `remote-module`,
   * `unparsable`.
   */
  readonly kind: string;
  /** Repo-relative POSIX path. */
  readonly file: string;
  readonly name: string;
  readonly detail: string;
}

/** A problem with `bosun.yml`: the check run fails with every one listed, and nothing is planned. */
export interface ConfigProblem {
  /** Repo-relative path of the config file, e.g. `bosun.yml`. */
  readonly file: string;
  /** Where in the document, e.g. `stacks[0].dir`; empty for the document as a whole. */
  readonly path: string;
  readonly line?: number | undefined;
  readonly message: string;
}

export interface ComponentReport {
  /** `<stack>@<environment>`, e.g. `network@dev`. */
  readonly name: string;
  readonly stack: string;
  /** Repo-relative POSIX path of the stack's root module; diagnostics' filenames are under it. */
  readonly dir: string;
  readonly changeKind: ComponentChangeKind;
  readonly phase: ComponentPhase;
  /** Present once a plan exists. */
  readonly counts?: PlanDeltaCounts | undefined;
  /**
   * `PlanSummary.hasChanges`: whether applying would do anything, which the counts alone miss for
   * a plan that only changes outputs. Derived from `counts` when absent.
   */
  readonly hasChanges?: boolean | undefined;
  /** The sealed plan's digest (`sha256:<hex>`): what confirming this component names. */
  readonly planDigest?: string | undefined;
  /** The human-readable plan, already masked; shown verbatim inside a code block. */
  readonly planText?: string | undefined;
  readonly diagnostics?: readonly ReportDiagnostic[] | undefined;
  /** Why the component failed (an engine error, "apply interrupted; …"), already masked. */
  readonly failureReason?: string | undefined;
  readonly failedDuring?: FailureStage | undefined;
  /** DEFERRED: the components whose outputs it waits for. BLOCKED: the ones that failed. */
  readonly waitingFor?: readonly string[] | undefined;
  readonly policyFindings?: readonly PolicyFinding[] | undefined;
  readonly scanFindings?: readonly ScanFinding[] | undefined;
  /** The custom steps it ran, in order, with their masked summaries. */
  readonly steps?: readonly StepReport[] | undefined;
  /** Custom steps that failed with `on_failure: warn` during its plan: autodeploy held. */
  readonly stepWarnings?: readonly StepWarningReport[] | undefined;
  /** The pull request changes this stack's custom steps: they run once it is merged. */
  readonly stepsPending?: boolean | undefined;
}

/** One custom step a component ran (docs/design.md "Custom steps"). */
export interface StepReport {
  readonly name: string;
  /** `before_plan`, `after_plan`, …. */
  readonly hook: string;
  readonly exitCode?: number | undefined;
  /** Why it failed, masked. */
  readonly error?: string | undefined;
  /** The Markdown it wrote to `$BOSUN_STEP_SUMMARY`, masked; untrusted. */
  readonly summary?: string | undefined;
}

export interface StepWarningReport {
  readonly step: string;
  readonly hook: string;
  readonly message: string;
}

/** One changeset's run in one environment: what a check run and a PR comment section show. */
export interface ChangesetReport {
  readonly runId: string;
  /** The run's page on Bosun's web UI, where full plans and logs are. Trusted. */
  readonly runUrl: string;
  readonly environment: string;
  /** `owner/name`. */
  readonly repository: string;
  readonly commitSha: string;
  readonly runKind: RunKind;
  readonly runStatus: RunStatus;
  /**
   * Who started a run that came from no pull request nor push (the stack page, the HTTP API, the
   * CLI): a person's login, or a machine user's name. Untrusted text.
   */
  readonly startedBy?: { readonly name: string; readonly machine: boolean } | undefined;
  /** The engine and version the run's phases ran ("OpenTofu 1.11.5"), once one has run. */
  readonly engine?: string | undefined;
  /** Set when another run applied a component since this plan, or the PR head moved. */
  readonly stale?: { readonly reason: string } | undefined;
  /** A bad `bosun.yml`: when non-empty the run planned nothing and the check run fails. */
  readonly configProblems?: readonly ConfigProblem[] | undefined;
  /** In the order they should be shown (dependency order, then name). */
  readonly components: readonly ComponentReport[];
}
