import { digest, type SealKeys, open } from "../lib/seal.js";
import { savedWorkspaceContext } from "../lib/seal-contexts.js";
import type { ComponentRunner } from "./component-runner-port.js";
import type { RunComponentRecord } from "./run-port.js";

/** The sealed workspace opened and checked against the digests recorded at plan time. */
export function openWorkspace(
  deps: { encryptionKey: SealKeys; runner: Pick<ComponentRunner, "unpackSavedWorkspace"> },
  record: RunComponentRecord,
): { bytes: Buffer; planDigest: string; inputs: Record<string, unknown> } | string {
  if (!record.sealedWorkspace || !record.workspaceDigest || !record.planDigest) {
    return "no saved plan to apply";
  }
  let bytes: Buffer;
  try {
    bytes = open(
      deps.encryptionKey,
      record.sealedWorkspace,
      savedWorkspaceContext(record.runComponentId),
    );
  } catch (error) {
    return `the saved workspace cannot be opened (${(error as Error).message}); re-plan`;
  }
  if (digest(bytes) !== record.workspaceDigest) {
    return "the saved workspace does not match the digest recorded at plan time; refusing to apply";
  }
  const unpacked = deps.runner.unpackSavedWorkspace(bytes);
  if (digest(unpacked.planFile) !== record.planDigest) {
    return "the saved plan is not the plan that was reviewed; refusing to apply";
  }
  return { bytes, planDigest: record.planDigest, inputs: unpacked.inputs };
}
