import type { ComponentPhase } from "../../../src/domain/component-phase.js";
import type { RunTransitionStore } from "../../../src/services/run-transition-port.js";
import type { RunComponentView, RunView } from "../../../src/services/run-view-port.js";
import type { InMemoryComponentStore } from "./component-store.js";
import type { InMemoryRunViewStore } from "./run-view-store.js";

export type RequestedTransition =
  | { kind: "confirm"; runId: string; runComponentIds: string[]; actor: string; cause: string }
  | { kind: "confirm-wave"; runId: string; runComponentIds: string[]; actor: string; cause: string }
  | { kind: "release-deferred"; runComponentId: string; to: ComponentPhase; cause: string }
  | { kind: "release-next-held"; componentId: string }
  | { kind: "discard"; runId: string; actor: string; cause: string };

/**
 * The store's transitions applied to the run views, with the same compare-and-swap guards (a
 * component moves only from the phase the port names), so a use case that reads the run again
 * sees what it did. Every request is recorded, moved or not. That the database keeps these
 * guards under concurrency is the store's to prove on both databases; this fake keeps their word.
 */
export class InMemoryRunTransitionStore implements RunTransitionStore {
  readonly requested: RequestedTransition[] = [];
  /** Component id → the held run components waiting for it, oldest first. */
  readonly heldQueue = new Map<string, { runComponentId: string; runId: string }[]>();

  constructor(
    private readonly views: InMemoryRunViewStore,
    private readonly components: InMemoryComponentStore,
  ) {}

  async confirm(
    runId: string,
    runComponentIds: readonly string[],
    actor: string,
    cause: string,
  ): Promise<string[]> {
    this.requested.push({
      kind: "confirm",
      runId,
      runComponentIds: [...runComponentIds],
      actor,
      cause,
    });
    const run = this.views.stored(runId);
    if (!run) return [];
    const confirmed = this.listed(run, runComponentIds)
      .filter((component) => component.phase === "UNCONFIRMED")
      .map((component) => {
        component.phase = "CONFIRMED";
        return component.runComponentId;
      });
    if (confirmed.length > 0) run.confirmedBy ??= actor;
    return confirmed;
  }

  async confirmWave(
    runId: string,
    runComponentIds: readonly string[],
    actor: string,
    cause: string,
  ): Promise<{ confirmed: string[]; stale: string[] }> {
    this.requested.push({
      kind: "confirm-wave",
      runId,
      runComponentIds: [...runComponentIds],
      actor,
      cause,
    });
    const run = this.views.stored(runId);
    const result = { confirmed: [] as string[], stale: [] as string[] };
    if (!run) return result;
    const heads = await this.components.deployedHeads(
      run.components.map((component) => component.componentId),
    );
    for (const component of this.listed(run, runComponentIds)) {
      if (component.phase !== "UNCONFIRMED") continue;
      const based = run.baseHeads[component.componentId] ?? null;
      if ((heads[component.componentId] ?? null) !== based) {
        component.phase = "FAILED";
        result.stale.push(component.runComponentId);
      } else {
        component.phase = "CONFIRMED";
        result.confirmed.push(component.runComponentId);
      }
    }
    return result;
  }

  async releaseDeferred(
    runComponentId: string,
    to: "QUEUED" | "BLOCKED" | "FAILED",
    cause: string,
  ): Promise<boolean> {
    this.requested.push({ kind: "release-deferred", runComponentId, to, cause });
    const component = this.find(runComponentId);
    if (component?.phase !== "DEFERRED") return false;
    component.phase = to;
    if (to !== "QUEUED") component.failureReason = cause;
    return true;
  }

  async releaseNextHeld(
    componentId: string,
  ): Promise<{ runComponentId: string; runId: string } | undefined> {
    this.requested.push({ kind: "release-next-held", componentId });
    return this.heldQueue.get(componentId)?.shift();
  }

  async discard(runId: string, actor: string, cause: string): Promise<number> {
    this.requested.push({ kind: "discard", runId, actor, cause });
    const run = this.views.stored(runId);
    if (!run) return 0;
    const confirmed = run.confirmedBy !== undefined;
    const discardable: ComponentPhase[] = confirmed
      ? ["UNCONFIRMED"]
      : ["UNCONFIRMED", "QUEUED", "DEFERRED"];
    let count = 0;
    for (const component of run.components) {
      if (!discardable.includes(component.phase)) continue;
      component.phase = "DISCARDED";
      count++;
    }
    return count;
  }

  private listed(run: RunView, runComponentIds: readonly string[]): RunComponentView[] {
    return run.components.filter((component) => runComponentIds.includes(component.runComponentId));
  }

  private find(runComponentId: string): RunComponentView | undefined {
    for (const run of this.views.runs) {
      const component = run.components.find((c) => c.runComponentId === runComponentId);
      if (component) return component;
    }
    return undefined;
  }
}
