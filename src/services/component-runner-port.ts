import type { EngineError } from "../runner/engine.js";
import type { applyComponent, planComponent } from "../runner/run-component.js";
import type { unpackSavedWorkspace } from "../runner/saved-workspace.js";

/** The runner, as this use case reaches it (src/runner/component-runner.ts builds it). */
export interface ComponentRunner {
  plan: typeof planComponent;
  apply: typeof applyComponent;
  unpackSavedWorkspace: typeof unpackSavedWorkspace;
  /** The engine's own failure (a command's exit, a stale plan), when `error` is one. */
  engineFailure(error: unknown): EngineError | undefined;
}
