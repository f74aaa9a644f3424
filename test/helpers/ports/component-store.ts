import type { EngineKind } from "../../../src/domain/engine-kind.js";
import type { ComponentStore } from "../../../src/services/component-port.js";

/** A component's id in the fake: its `stack@environment`, so assertions read as names. */
export const componentIdOf = (stack: string, environment: string) =>
  `component:${stack}@${environment}`;

/**
 * Components keyed by `stack@environment`. Deployed heads, deployed commits and the components
 * held by an open tracked run are what a test declares about history.
 */
export class InMemoryComponentStore implements ComponentStore {
  readonly ensured: {
    stack: string;
    environment: string;
    dir: string;
    engine: EngineKind;
    production: boolean;
  }[] = [];
  /** Component id → the revision id of its deployed head. */
  readonly heads = new Map<string, string>();
  /** Component id → the commit its deployed revision was applied from. */
  readonly deployedCommits = new Map<string, string>();
  readonly heldByTrackedRuns = new Set<string>();

  async ensureComponents(
    _repositoryId: number,
    wanted: Parameters<ComponentStore["ensureComponents"]>[1],
  ): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const component of wanted) {
      this.ensured.push({ ...component });
      ids.set(
        `${component.stack}@${component.environment}`,
        componentIdOf(component.stack, component.environment),
      );
    }
    return ids;
  }

  async deployedHeads(componentIds: readonly string[]): Promise<Record<string, string | null>> {
    return Object.fromEntries(componentIds.map((id) => [id, this.heads.get(id) ?? null]));
  }

  async deployedCommit(componentId: string): Promise<string | undefined> {
    return this.deployedCommits.get(componentId);
  }

  async withOpenTrackedRuns(componentIds: readonly string[]): Promise<string[]> {
    return componentIds.filter((id) => this.heldByTrackedRuns.has(id));
  }
}
