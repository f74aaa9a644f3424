import type { ManagedStateDeps } from "./managed-state-deps.js";
import { type LockInfo, parseLockInfo } from "./lock-info.js";
import type { StateRefusal } from "./state-refusal.js";

export type AcquireStateLockResult =
  | { kind: "acquired"; info: LockInfo }
  /** Someone else holds it: their LockInfo, whole. */
  | { kind: "held"; holder: Record<string, unknown> }
  | StateRefusal;

/** The engine's LOCK: takes the component's lock, or names who holds it. */
export async function acquireStateLock(
  deps: Pick<ManagedStateDeps, "store" | "log">,
  input: { componentId: string; body: Buffer; runId: string | undefined },
): Promise<AcquireStateLockResult> {
  const parsed = parseLockInfo(input.body);
  if (parsed.kind === "refused") {
    deps.log.warn({ componentId: input.componentId, code: parsed.code }, parsed.message);
    return parsed;
  }
  const { info } = parsed;
  const result = await deps.store.exclusive(
    input.componentId,
    async (tx): Promise<AcquireStateLockResult> => {
      const held = await tx.lock();
      // The same ID again is a retried LOCK whose answer was lost: it already holds the lock.
      if (held)
        return held.lockId === info.ID
          ? { kind: "acquired", info }
          : { kind: "held", holder: held.info };
      await tx.takeLock({ lockId: info.ID, info, runId: input.runId });
      return { kind: "acquired", info };
    },
  );
  if (result.kind === "acquired") {
    deps.log.info(
      {
        componentId: input.componentId,
        runId: input.runId,
        lockId: info.ID,
        operation: info.Operation,
      },
      "state locked",
    );
  }
  return result;
}
