import type { StepHook } from "../domain/custom-step.js";
import type { ComponentChangeKind } from "../domain/affected-components.js";
import type { ComponentPhase } from "../domain/component-phase.js";
import type { ComponentSpec } from "../domain/component-spec.js";
import type { RunKind } from "../domain/run-kind.js";
import type { SandboxKind } from "../domain/sandbox-kind.js";

/** Everything executing one component of one run needs to know about it. */
export interface RunComponentRecord {
  runComponentId: string;
  runId: string;
  componentId: string;
  phase: ComponentPhase;
  changeKind: ComponentChangeKind;
  spec: ComponentSpec;
  commitSha: string;
  runKind: RunKind;
  trigger: string;
  triggeredBy: string;
  /** Who confirmed the run (`/apply`, an approving review, autodeploy); undefined until then. */
  confirmedBy: string | undefined;
  /** The pre-plan scan's findings, for policies. */
  scanFindings: unknown[];
  installationId: number;
  repositoryId: number;
  repositoryFullName: string;
  planDigest: string | undefined;
  workspaceDigest: string | undefined;
  sealedWorkspace: Buffer | undefined;
}

export interface PlanRecord {
  planDigest: string;
  summary: unknown;
  planText: string;
  diagnostics: unknown[];
  policyFindings: { policy: string; level: "deny" | "warn"; message: string }[];
  /** Custom steps that failed with `on_failure: warn`, masked: autodeploy holds as for a policy warning. */
  stepWarnings?: { step: string; hook: string; message: string }[];
  sealedWorkspace: Buffer | undefined;
  workspaceDigest: string | undefined;
}

export interface RevisionRecord {
  runComponentId: string;
  planDigest: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  sealedOutputs: Buffer | undefined;
  stateVersionId: string | undefined;
  startedAt: Date;
}

export interface RunStore {
  loadRunComponent(runComponentId: string): Promise<RunComponentRecord | undefined>;
  /**
   * Moves the component to `to` if it is in one of `from` (a compare-and-swap), appending the
   * event; false when it was not.
   */
  transition(
    runComponentId: string,
    from: readonly ComponentPhase[],
    to: ComponentPhase,
    cause: string,
    actor: string,
    /** The job that must still hold the component's lease (a fenced transition). */
    holderJobId?: string,
  ): Promise<boolean>;
  /**
   * `sandbox`: how the engine is confined in this phase, said on the run page. `step`: the row is
   * a custom step of the phase, its own entry on the timeline.
   */
  startPhase(
    runComponentId: string,
    phase: ComponentPhase,
    sandbox?: SandboxKind,
    step?: { name: string; hook: StepHook },
  ): Promise<string>;
  appendLog(
    phaseId: string,
    lines: readonly { stream: "stdout" | "stderr"; line: string }[],
  ): Promise<void>;
  finishPhase(
    phaseId: string,
    /** `summary`: a custom step's masked Markdown summary. */
    outcome: { exitCode: number | undefined; error: string | undefined; summary?: string },
  ): Promise<void>;
  savePlan(runComponentId: string, plan: PlanRecord): Promise<void>;
  setFailureReason(runComponentId: string, reason: string): Promise<void>;
  /** The engine a run's phase ran on, as pages show it: "OpenTofu 1.11.5". */
  setEngineVersion(runId: string, version: string): Promise<void>;
  /** The outputs of the component's deployed revision (sensitive ones sealed); undefined if never applied. */
  deployedOutputs(
    componentId: string,
  ): Promise<{ outputs: Record<string, unknown>; sealedOutputs: Buffer | undefined } | undefined>;
  /** Appends the revision and moves the component's deployed head to it, in one transaction. */
  recordRevision(revision: RevisionRecord): Promise<string>;
}
