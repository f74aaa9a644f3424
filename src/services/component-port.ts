import type { EngineKind } from "../domain/engine-kind.js";

/** Components (a stack in an environment): their rows, deployed heads and tracked-run holds. */
export interface ComponentStore {
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
  /** Of these components, those an earlier tracked run has not finished with (terminal phases aside). */
  withOpenTrackedRuns(componentIds: readonly string[]): Promise<string[]>;
}
