import type { ManagedStateDeps } from "./managed-state-deps.js";
import { ManagedStateError } from "./managed-state-error.js";

/**
 * Retention: keeps the component's newest `keep` state versions (so never the latest) and any a
 * revision points at; returns how many were deleted.
 */
export async function pruneStateVersions(
  deps: Pick<ManagedStateDeps, "store" | "log">,
  componentId: string,
  keep: number,
): Promise<number> {
  if (!Number.isSafeInteger(keep) || keep < 1) {
    throw new ManagedStateError(
      "invalid-argument",
      `pruning the state versions of ${componentId}: keep must be a whole number ≥ 1 (the latest version is never deleted), got ${keep}`,
    );
  }
  const deleted = await deps.store.pruneVersions(componentId, keep);
  if (deleted > 0) deps.log.info({ componentId, keep, deleted }, "state versions pruned");
  return deleted;
}
