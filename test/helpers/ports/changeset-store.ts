import type { ComponentPhase } from "../../../src/domain/component-phase.js";
import type {
  ChangesetStore,
  NewChangesetRun,
  RevertTarget,
} from "../../../src/services/changeset-port.js";

/**
 * Records every run opened, as the use case asked for it (components, phases, waves, heads). A
 * changeset is one per pull request and environment; opening it again supersedes its previous
 * run, as the store does with what was still unconfirmed. Run component ids are
 * `run-N/<component id>`.
 */
export class InMemoryChangesetStore implements ChangesetStore {
  readonly opened: (NewChangesetRun & { runId: string })[] = [];
  /** Run id → what reverting it replays. */
  readonly revertTargetsOf = new Map<string, RevertTarget[]>();
  private readonly latestRunOf = new Map<string, string>();

  async openChangesetRun(input: NewChangesetRun): Promise<{
    changesetId: string;
    runId: string;
    components: { id: string; componentId: string; phase: ComponentPhase }[];
    supersededRunIds: string[];
  }> {
    const runId = `run-${this.opened.length + 1}`;
    this.opened.push({ ...structuredClone(input), runId });
    const changeset = `${input.repositoryId}#${input.pullRequestNumber ?? "tracked"}@${input.environment}`;
    // A revert or a promotion is always a new changeset; a tracked run never replaces another.
    const replaces = input.origin === undefined && input.run.kind !== "tracked";
    const previous = replaces ? this.latestRunOf.get(changeset) : undefined;
    if (replaces) this.latestRunOf.set(changeset, runId);
    return {
      changesetId: `changeset:${changeset}`,
      runId,
      components: input.components.map((component) => ({
        id: `${runId}/${component.componentId}`,
        componentId: component.componentId,
        phase: component.phase,
      })),
      supersededRunIds: previous === undefined ? [] : [previous],
    };
  }

  async revertTargets(runId: string): Promise<RevertTarget[]> {
    return this.revertTargetsOf.get(runId) ?? [];
  }
}
