import type { EngineError } from "../runner/engine.js";
import type { AppliedComponent, applyComponent, planComponent } from "../runner/run-component.js";
import type { unpackSavedWorkspace } from "../runner/saved-workspace.js";

/** The runner, as this use case reaches it (src/runner/component-runner.ts builds it). */
export interface ComponentRunner {
  plan: typeof planComponent;
  apply: typeof applyComponent;
  unpackSavedWorkspace: typeof unpackSavedWorkspace;
  /** The engine's own failure (a command's exit, a stale plan), when `error` is one. */
  engineFailure(error: unknown): EngineError | undefined;
  /**
   * An apply that happened, when `error` is an `after_apply` step's failure after it: its outputs
   * are recorded, then the component fails with `reason`.
   */
  appliedDespite(error: unknown): { applied: AppliedComponent; reason: string } | undefined;
}
