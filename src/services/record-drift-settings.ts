import type { RepoConfig } from "../config/repo-config.js";
import type { PlanDeps } from "./plan-deps.js";

/**
 * Keeps the tracked branch's `drift` settings where the drift tick reads them
 * (src/services/drift-tick.ts): called with each tracked config Bosun reads from a push to the
 * tracked branch, the only way that config changes.
 */
export async function recordDriftSettings(
  deps: Pick<PlanDeps, "drift">,
  repositoryId: number,
  tracked: RepoConfig,
): Promise<void> {
  await deps.drift.recordDriftSettings(
    repositoryId,
    Object.entries(tracked.environments).map(([environment, settings]) => ({
      environment,
      production: settings.production,
      schedule: settings.drift?.schedule,
      reconcile: settings.drift?.reconcile ?? false,
    })),
  );
}
