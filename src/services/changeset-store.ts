import type { ComponentChangeKind } from "../domain/affected-components.js";
import type { ComponentPhase } from "../domain/component-phase.js";
import type { ComponentSpec } from "../domain/component-spec.js";
import type { PlanSummary } from "../domain/plan-summary.js";
import type { RunKind } from "../domain/run-kind.js";
import type { EngineKind } from "../domain/engine-kind.js";

export interface PullRequestRecord {
  repositoryId: number;
  number: number;
  headSha: string;
  baseRef: string;
  author: string;
  fork: boolean;
  open: boolean;
  commentIds: number[];
  commentDigest: string | undefined;
  notices: string[];
  /**
   * When Bosun last recorded the pull request's head (from its webhooks or a plan): a writer's
   * `/plan` written before then did not see that head.
   */
  updatedAt: Date;
}

export interface NewRunComponent {
  componentId: string;
  changeKind: ComponentChangeKind;
  spec: ComponentSpec;
  phase: Extract<ComponentPhase, "QUEUED" | "DEFERRED" | "FINISHED">;
  /** Why it starts DEFERRED or FINISHED, or is held, shown to the reader. */
  note?: string;
  /** Queued but not started: it waits behind an earlier tracked run of the component. */
  held?: boolean;
  /** Its dependency wave in the run (0: no upstream changes in the same changeset). */
  wave?: number;
}

export interface NewChangesetRun {
  repositoryId: number;
  /** Undefined for a tracked run (no pull request). */
  pullRequestNumber: number | undefined;
  environment: string;
  headSha: string;
  baseHeads: Record<string, string | null>;
  run: {
    kind: RunKind;
    commitSha: string;
    trigger: string;
    triggeredBy: string;
    scanFindings: unknown[];
  };
  components: NewRunComponent[];
  /**
   * A changeset that replays or copies another: always a new changeset (history is never
   * rewritten), and the pull request's other open changeset of the environment is closed.
   */
  origin?: { revertsRunId: string } | { promotedFromId: string };
}

/** A component's revision as a revert replays it: the commit, inputs and spec it applied with. */
export interface RevisionToReplay {
  commitSha: string;
  inputs: Record<string, unknown>;
  spec: ComponentSpec;
}

/** What reverting a run means for one component it applied. */
export interface RevertTarget {
  componentId: string;
  stack: string;
  /** The revision this run applied (a create's is the one a destroy tears down). */
  applied: RevisionToReplay;
  /** The revision before it; undefined when this run created the component. */
  previous: RevisionToReplay | undefined;
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
      }
    | undefined;
  failureReason: string | undefined;
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

/** Pull requests, changesets and runs as the GitHub flows need them. */
export interface ChangesetStore {
  upsertRepository(repository: {
    id: number;
    installationId: number;
    fullName: string;
    defaultBranch: string;
  }): Promise<void>;
  upsertPullRequest(pr: {
    repositoryId: number;
    number: number;
    headSha: string;
    baseRef: string;
    author: string;
    fork: boolean;
  }): Promise<PullRequestRecord>;
  pullRequest(repositoryId: number, number: number): Promise<PullRequestRecord | undefined>;
  /** Records a one-off notice; false when it was already posted. */
  addNotice(repositoryId: number, number: number, notice: string): Promise<boolean>;
  setComments(
    repositoryId: number,
    number: number,
    commentIds: number[],
    digest: string,
  ): Promise<void>;
  closePullRequest(repositoryId: number, number: number): Promise<void>;
  /** Environment, stack and component rows for each `stack@environment`; returns their component ids. */
  ensureComponents(
    repositoryId: number,
    wanted: readonly {
      stack: string;
      environment: string;
      dir: string;
      engine: EngineKind;
      production: boolean;
    }[],
  ): Promise<Map<string, string>>;
  deployedHeads(componentIds: readonly string[]): Promise<Record<string, string | null>>;
  /** The commit the component's deployed revision was applied from; undefined if never applied. */
  deployedCommit(componentId: string): Promise<string | undefined>;
  /** Opens (or re-bases) the changeset and creates its new run, superseding what was unconfirmed. */
  openChangesetRun(input: NewChangesetRun): Promise<{
    changesetId: string;
    runId: string;
    components: { id: string; componentId: string; phase: ComponentPhase }[];
    supersededRunIds: string[];
  }>;
  /** Of these components, those an earlier tracked run has not finished with (terminal phases aside). */
  withOpenTrackedRuns(componentIds: readonly string[]): Promise<string[]>;
  /**
   * When no tracked run holds the component any more, releases the oldest held one (clears
   * `held`) and returns it, to be planned; undefined otherwise.
   */
  releaseNextHeld(
    componentId: string,
  ): Promise<{ runComponentId: string; runId: string } | undefined>;
  setCheckRun(runId: string, checkRunId: number): Promise<void>;
  setDeployment(runId: string, deploymentId: number | undefined, state: string): Promise<void>;
  setReportDigest(runId: string, digest: string): Promise<void>;
  runView(runId: string): Promise<RunView | undefined>;
  runOfComponent(runComponentId: string): Promise<string | undefined>;
  /** The run a check run shows, in that repository (check run ids are GitHub's, not ours). */
  runByCheckRun(repositoryId: number, checkRunId: number): Promise<RunView | undefined>;
  /** Tracked runs started by merging this pull request, newest first. */
  trackedRunsOfPullRequest(repositoryId: number, number: number): Promise<RunView[]>;
  /** Other runs still waiting for approval on this component: a new deployed head makes them stale. */
  runsAwaitingOn(componentId: string, exceptRunId: string): Promise<string[]>;
  /** The newest run of each open changeset of the pull request, by environment. */
  latestRunsOfPullRequest(repositoryId: number, number: number): Promise<RunView[]>;
  /** UNCONFIRMED → CONFIRMED for each listed component still unconfirmed; returns those confirmed. */
  confirm(
    runId: string,
    runComponentIds: readonly string[],
    actor: string,
    cause: string,
  ): Promise<string[]>;
  /**
   * A confirmed run's later wave: UNCONFIRMED → CONFIRMED for each listed component whose deployed
   * head is still the one its changeset was based on, compared and swapped in one transaction
   * (docs/design.md invariant 4); one whose head moved is refused: FAILED, with what moved.
   */
  confirmWave(
    runId: string,
    runComponentIds: readonly string[],
    actor: string,
    cause: string,
  ): Promise<{ confirmed: string[]; stale: string[] }>;
  /**
   * A DEFERRED component moves on: QUEUED once its upstreams applied, BLOCKED when one failed,
   * FAILED when it is refused (its deployed head moved). `cause` is kept as the reason of the last two.
   */
  releaseDeferred(
    runComponentId: string,
    to: "QUEUED" | "BLOCKED" | "FAILED",
    cause: string,
  ): Promise<boolean>;
  /** The run, when it belongs to that repository. */
  runInRepository(repositoryId: number, runId: string): Promise<RunView | undefined>;
  /** The latest run of every changeset of the pull request, open or closed, newest first. */
  pullRequestRuns(repositoryId: number, number: number): Promise<RunView[]>;
  /** Per component the run applied: that revision and the one before it (a revert's replay). */
  revertTargets(runId: string): Promise<RevertTarget[]>;
  /**
   * What of the run no approval has reached → DISCARDED: its UNCONFIRMED components, and its
   * QUEUED and DEFERRED ones unless the run is confirmed (they are then its later waves, and
   * nothing stops a confirmed run). Returns how many.
   */
  discard(runId: string, actor: string, cause: string): Promise<number>;
}
