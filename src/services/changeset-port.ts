import type { ComponentChangeKind } from "../domain/affected-components.js";
import type { ComponentPhase } from "../domain/component-phase.js";
import type { ComponentSpec } from "../domain/component-spec.js";
import type { RunKind } from "../domain/run-kind.js";

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
    /** The API token a machine user started the run with. */
    triggeredByTokenId?: string | undefined;
    /** The trigger's runtime config, kept to show on the run page and to carry into a re-run. */
    runtimeConfig?: Record<string, unknown> | undefined;
    /** The run this one repeats (Re-run). */
    repeatsRunId?: string | undefined;
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

/** Changesets: opening one with its new run, and what a revert of a run replays. */
export interface ChangesetStore {
  /** Opens (or re-bases) the changeset and creates its new run, superseding what was unconfirmed. */
  openChangesetRun(input: NewChangesetRun): Promise<{
    changesetId: string;
    runId: string;
    components: { id: string; componentId: string; phase: ComponentPhase }[];
    supersededRunIds: string[];
  }>;
  /** Per component the run applied: that revision and the one before it (a revert's replay). */
  revertTargets(runId: string): Promise<RevertTarget[]>;
}
