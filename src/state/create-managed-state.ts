import type { ManagedState } from "../services/state-port.js";
import { issueStateCredential } from "./issue-state-credential.js";
import type { ManagedStateDeps } from "./managed-state-deps.js";
import { pruneStateVersions } from "./prune-state-versions.js";
import { releaseLocksOfRun } from "./release-locks-of-run.js";
import { revokeStateCredential } from "./revoke-state-credential.js";
import { revokeStateCredentials } from "./revoke-state-credentials.js";

/** The managed-state calls runs and crash recovery make, bound to their dependencies. */
export function createManagedState(deps: ManagedStateDeps): ManagedState {
  return {
    issueStateCredential: (input) => issueStateCredential(deps, input),
    revokeStateCredential: (username) => revokeStateCredential(deps, username),
    revokeStateCredentials: (runId, componentId) =>
      revokeStateCredentials(deps, runId, componentId),
    releaseLocksOfRun: (runId, componentId) => releaseLocksOfRun(deps, runId, componentId),
    latestStateVersion: (componentId) => deps.store.latestHead(componentId),
    pruneStateVersions: (componentId, keep) => pruneStateVersions(deps, componentId, keep),
  };
}
