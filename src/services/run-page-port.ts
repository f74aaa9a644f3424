import type { StepHook } from "../domain/custom-step.js";
import type { ComponentPhase } from "../domain/component-phase.js";
import type { RunStatus } from "../domain/run-status.js";
import type { SandboxKind } from "../domain/sandbox-kind.js";
import type { RunKind } from "../domain/run-kind.js";
import type { EngineKind } from "../domain/engine-kind.js";
import type { ComponentChangeKind } from "../domain/affected-components.js";
import type { RuntimeConfig } from "../config/runtime-config.js";

/**
 * What the run pages and their JSON API read (src/web/run-pages): a read model of runs, their
 * components' timed phases and logs, and components' revisions. Built by
 * src/store/run-page-repository.ts. Logs are stored already masked; sealed or sensitive values
 * (sealed workspaces, sealed outputs) are never part of it.
 */

export interface DeltaCounts {
  add: number;
  change: number;
  destroy: number;
}

export interface RepositorySummary {
  id: number;
  fullName: string;
  installationId: number;
  defaultBranch: string | undefined;
}

export interface PhaseEntry {
  id: string;
  phase: ComponentPhase;
  startedAt: Date;
  finishedAt: Date | undefined;
  exitCode: number | undefined;
  error: string | undefined;
  lineCount: number;
  /** How the engine was confined; undefined for phases recorded before Bosun said. */
  sandbox: SandboxKind | undefined;
  /** Set when the entry is a custom step of the phase: its name, hook and masked summary. */
  step?: { name: string; hook: StepHook; summary: string | undefined } | undefined;
}

/** A lifecycle state the component entered (from run_events), and when it left it. */
export interface StateEntry {
  state: ComponentPhase;
  at: Date;
  /** When the next state began; undefined while it is the current one. */
  until: Date | undefined;
  cause: string;
  actor: string;
}

export interface RunComponentEntry {
  runComponentId: string;
  componentId: string;
  stack: string;
  dir: string;
  changeKind: ComponentChangeKind;
  phase: ComponentPhase;
  /** The dependency wave it runs in (0: no upstream in this run). */
  wave: number;
  /** Queued behind an earlier tracked run of the same component. */
  held: boolean;
  /** DEFERRED or BLOCKED: the upstream stacks it waits for. */
  waitingFor: string[];
  planDigest: string | undefined;
  counts: DeltaCounts | undefined;
  /** The engine's human-readable plan (masked), once planned. */
  planText: string | undefined;
  failureReason: string | undefined;
  applied: boolean;
  /** Timed phases in which the engine ran, each with its log. */
  phases: PhaseEntry[];
  /** Every state the component went through, in order (waiting ones included: Unconfirmed, …). */
  states: StateEntry[];
}

export interface RunDetail {
  id: string;
  repository: RepositorySummary;
  environment: string;
  kind: RunKind;
  status: RunStatus;
  /** Every component's phase is terminal: nothing more will happen to this run. */
  finished: boolean;
  commitSha: string;
  pullRequestNumber: number | undefined;
  /** The branch the pull request merges into; undefined for runs not from a pull request. */
  baseRef: string | undefined;
  trigger: string;
  triggeredBy: string;
  /** Started with an API token: `triggeredBy` names a machine user, not a person. */
  machineUser: boolean;
  /** The trigger's overrides for this run alone, as given; undefined when it had none. */
  runtimeConfig: RuntimeConfig | undefined;
  confirmedBy: string | undefined;
  confirmedAt: Date | undefined;
  engineVersion: string | undefined;
  repeatsRunId: string | undefined;
  createdAt: Date;
  counts: DeltaCounts;
  components: RunComponentEntry[];
  /** Who was told of this run's events, and how each delivery went. */
  notifications: RunNotificationEntry[];
}

/** One delivery of one of the run's events to one notification target. */
export interface RunNotificationEntry {
  type: string;
  target: string;
  kind: string;
  /** A webhook's host, or the Slack channel. */
  destination: string;
  status: string;
  attempts: number;
  lastResponseStatus: number | undefined;
}

export interface PhaseLog {
  phaseId: string;
  phase: ComponentPhase;
  stack: string;
  lines: { at: Date; stream: string; line: string }[];
}

export interface RunRow {
  id: string;
  environment: string;
  kind: RunKind;
  status: RunStatus;
  finished: boolean;
  stacks: string[];
  counts: DeltaCounts;
  engineVersion: string | undefined;
  commitSha: string;
  triggeredBy: string;
  /** Started with an API token: `triggeredBy` names a machine user. */
  machineUser: boolean;
  trigger: string;
  createdAt: Date;
  /** From the first phase's start to the last one's end (or now, while running); undefined before any phase. */
  durationMs: number | undefined;
}

export interface RunQuery {
  repositoryId: number;
  /** Only runs that include this stack. */
  stack?: string | undefined;
  triggeredBy?: string | undefined;
  page: number;
  perPage: number;
}

export interface RunPageResult {
  rows: RunRow[];
  total: number;
  /** Everyone who triggered a run in scope, for the filter. */
  triggerers: string[];
}

export interface RevisionEntry {
  id: string;
  runId: string;
  commitSha: string;
  planDigest: string;
  /** Non-sensitive outputs only: sensitive ones are sealed apart and never read here. */
  outputs: Record<string, unknown>;
  startedAt: Date;
  finishedAt: Date;
  /** The component's deployed head. */
  deployed: boolean;
}

export interface ComponentDetail {
  id: string;
  repository: RepositorySummary;
  stack: string;
  environment: string;
  dir: string;
  revisions: RevisionEntry[];
}

export interface StackEntry {
  name: string;
  dir: string;
  engine: EngineKind;
  components: { id: string; environment: string; deployedRevisionId: string | undefined }[];
}

/** One environment of a stack, as the stack's page shows it. */
export interface StackEnvironmentEntry {
  componentId: string;
  environment: string;
  /** The deployed head: the run that applied it, its commit, when, and who approved (or started) it. */
  deployed: { runId: string; commitSha: string; at: Date; by: string } | undefined;
  /** The newest run that includes this component. */
  lastRun: { id: string; kind: RunKind; status: RunStatus; createdAt: Date } | undefined;
  /** The environment's last drift check; undefined before any. */
  drift: { drifted: boolean; checkedAt: Date; runId: string | undefined } | undefined;
}

/** A stack and its environments (its components Bosun knows of). */
export interface StackDetail {
  name: string;
  dir: string;
  engine: EngineKind;
  environments: StackEnvironmentEntry[];
}

export interface RunPageStore {
  repository(repositoryId: number): Promise<RepositorySummary | undefined>;
  repositoryByName(fullName: string): Promise<RepositorySummary | undefined>;
  stacks(repositoryId: number): Promise<StackEntry[]>;
  stack(repositoryId: number, name: string): Promise<StackDetail | undefined>;
  run(runId: string): Promise<RunDetail | undefined>;
  /** The phase's log when the phase belongs to the run; undefined otherwise. */
  phaseLog(runId: string, phaseId: string): Promise<PhaseLog | undefined>;
  runs(query: RunQuery): Promise<RunPageResult>;
  component(componentId: string): Promise<ComponentDetail | undefined>;
}
