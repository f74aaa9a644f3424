import type { StepHook } from "../domain/custom-step.js";
import type { ComponentChangeKind } from "../domain/affected-components.js";
import type { ComponentPhase } from "../domain/component-phase.js";
import type { ComponentSpec } from "../domain/component-spec.js";
import type { PlanSummary } from "../domain/plan-summary.js";
import type { RunKind } from "../domain/run-kind.js";

/** A custom step as a report shows it: how it ended and its masked summary. */
export interface StepView {
  name: string;
  hook: StepHook;
  /** Unset while it runs, or when it never started a process. */
  exitCode: number | undefined;
  /** Why it failed, masked; unset when it succeeded or still runs. */
  error: string | undefined;
  summary: string | undefined;
}

export interface RunComponentView {
  runComponentId: string;
  componentId: string;
  stack: string;
  changeKind: ComponentChangeKind;
  phase: ComponentPhase;
  spec: ComponentSpec;
  planDigest: string | undefined;
  plan:
    | {
        summary: PlanSummary;
        planText: string;
        diagnostics: unknown[];
        /** Policy warnings and denials of this plan. */
        policyFindings?: { policy: string; level: "deny" | "warn"; message: string }[];
        /** Custom steps that failed with `on_failure: warn`. */
        stepWarnings?: { step: string; hook: string; message: string }[];
      }
    | undefined;
  failureReason: string | undefined;
  /** The custom steps it ran, in order (the run page's timeline has them too). */
  steps?: StepView[];
  /** A revision of this run exists for the component. */
  applied: boolean;
  /** Its dependency wave in the run (0: no upstream changes in the same changeset). */
  wave: number;
}

export interface RunView {
  runId: string;
  kind: RunKind;
  commitSha: string;
  trigger: string;
  triggeredBy: string;
  /** The engine the run's phases ran, as the run page shows it ("OpenTofu 1.11.5"), once known. */
  engineVersion: string | undefined;
  /** Started with an API token: `triggeredBy` names a machine user. */
  machineUser: boolean;
  /** The trigger's runtime config, when one was given: a re-run carries it. */
  runtimeConfig: Record<string, unknown> | undefined;
  changesetId: string | undefined;
  pullRequestNumber: number | undefined;
  checkRunId: number | undefined;
  /** Who gave the run its single approval, once given. */
  confirmedBy: string | undefined;
  deploymentId: number | undefined;
  deploymentState: string | undefined;
  reportDigest: string | undefined;
  scanFindings: unknown[];
  repositoryId: number;
  repositoryFullName: string;
  /** The repository's default branch, as its last webhook said; where the tracked config is found. */
  defaultBranch: string | undefined;
  installationId: number;
  environment: string;
  production: boolean;
  baseHeads: Record<string, string | null>;
  components: RunComponentView[];
}

/** Runs as the GitHub flows read them: one by its id, check run or component, or a pull request's. */
export interface RunViewStore {
  runView(runId: string): Promise<RunView | undefined>;
  runOfComponent(runComponentId: string): Promise<string | undefined>;
  /** The run a check run shows, in that repository (check run ids are GitHub's, not ours). */
  runByCheckRun(repositoryId: number, checkRunId: number): Promise<RunView | undefined>;
  /** The run, when it belongs to that repository. */
  runInRepository(repositoryId: number, runId: string): Promise<RunView | undefined>;
  /** The newest run of each open changeset of the pull request, by environment. */
  latestRunsOfPullRequest(repositoryId: number, number: number): Promise<RunView[]>;
  /** The latest run of every changeset of the pull request, open or closed, newest first. */
  pullRequestRuns(repositoryId: number, number: number): Promise<RunView[]>;
  /** Tracked runs started by merging this pull request, newest first. */
  trackedRunsOfPullRequest(repositoryId: number, number: number): Promise<RunView[]>;
  /** Other runs still waiting for approval on this component: a new deployed head makes them stale. */
  runsAwaitingOn(componentId: string, exceptRunId: string): Promise<string[]>;
}
