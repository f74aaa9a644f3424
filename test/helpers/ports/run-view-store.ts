import type { RunView, RunViewStore } from "../../../src/services/run-view-port.js";

/**
 * Runs a test declares, in the order they were created (later is newer). Each read answers a
 * copy, so a use case sees a run as the store holds it at that moment: a transition made since
 * shows on the next read, never through an object it kept.
 */
export class InMemoryRunViewStore implements RunViewStore {
  readonly runs: RunView[] = [];
  /** Changesets no longer open (merged, closed, superseded by a revert). */
  readonly closedChangesets = new Set<string>();

  add(...views: RunView[]): this {
    this.runs.push(...views);
    return this;
  }

  /** The stored run itself, for the transition fake to change. */
  stored(runId: string): RunView | undefined {
    return this.runs.find((run) => run.runId === runId);
  }

  async runView(runId: string): Promise<RunView | undefined> {
    return copy(this.stored(runId));
  }

  async runOfComponent(runComponentId: string): Promise<string | undefined> {
    return this.runs.find((run) =>
      run.components.some((component) => component.runComponentId === runComponentId),
    )?.runId;
  }

  async runByCheckRun(repositoryId: number, checkRunId: number): Promise<RunView | undefined> {
    return copy(
      this.runs.find((run) => run.repositoryId === repositoryId && run.checkRunId === checkRunId),
    );
  }

  async runInRepository(repositoryId: number, runId: string): Promise<RunView | undefined> {
    const run = this.stored(runId);
    return run?.repositoryId === repositoryId ? copy(run) : undefined;
  }

  async latestRunsOfPullRequest(repositoryId: number, number: number): Promise<RunView[]> {
    return this.latestPerChangeset(repositoryId, number)
      .filter((run) => !this.closedChangesets.has(run.changesetId!))
      .sort((a, b) => a.environment.localeCompare(b.environment))
      .map((run) => copy(run)!);
  }

  async pullRequestRuns(repositoryId: number, number: number): Promise<RunView[]> {
    return this.latestPerChangeset(repositoryId, number)
      .reverse()
      .map((run) => copy(run)!);
  }

  async trackedRunsOfPullRequest(repositoryId: number, number: number): Promise<RunView[]> {
    return this.runs
      .filter(
        (run) =>
          run.repositoryId === repositoryId &&
          run.pullRequestNumber === number &&
          run.kind === "tracked",
      )
      .reverse()
      .map((run) => copy(run)!);
  }

  async runsAwaitingOn(componentId: string, exceptRunId: string): Promise<string[]> {
    return this.runs
      .filter(
        (run) =>
          run.runId !== exceptRunId &&
          run.components.some(
            (component) =>
              component.componentId === componentId && component.phase === "UNCONFIRMED",
          ),
      )
      .map((run) => run.runId);
  }

  /** The newest run of each of the pull request's changesets (tracked runs have none of theirs). */
  private latestPerChangeset(repositoryId: number, number: number): RunView[] {
    const latest = new Map<string, RunView>();
    for (const run of this.runs) {
      if (run.repositoryId !== repositoryId || run.pullRequestNumber !== number) continue;
      if (run.kind === "tracked" || run.changesetId === undefined) continue;
      latest.delete(run.changesetId);
      latest.set(run.changesetId, run);
    }
    return [...latest.values()];
  }
}

function copy(run: RunView | undefined): RunView | undefined {
  return run === undefined ? undefined : structuredClone(run);
}
