import { EngineError } from "./engine.js";
import { AppliedThenFailed, applyComponent, planComponent } from "./run-component.js";
import { unpackSavedWorkspace } from "./saved-workspace.js";

/** The runner as the component-execution use case reaches it (its ComponentRunner port). */
export const componentRunner = {
  plan: planComponent,
  apply: applyComponent,
  unpackSavedWorkspace,
  engineFailure: (error: unknown): EngineError | undefined =>
    error instanceof EngineError ? error : undefined,
  appliedDespite: (error: unknown) =>
    error instanceof AppliedThenFailed
      ? { applied: error.applied, reason: error.message }
      : undefined,
};
