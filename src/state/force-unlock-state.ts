import type { StateLockRecord } from "../services/state-port.js";
import { describeLock } from "./describe-lock.js";
import type { ManagedStateDeps } from "./managed-state-deps.js";

/**
 * An operator's `bosun state unlock`: releases the component's lock whoever holds it, and leaves an
 * audit line naming the operator and the holder. Returns the released lock, if there was one.
 */
export async function forceUnlockState(
  deps: Pick<ManagedStateDeps, "store" | "log">,
  input: { componentId: string; component: string; who: string },
): Promise<StateLockRecord | undefined> {
  const released = await deps.store.exclusive(input.componentId, async (tx) => {
    const held = await tx.lock();
    if (held) await tx.dropLock();
    return held;
  });
  deps.log.warn(
    {
      audit: "state.force-unlock",
      who: input.who,
      component: input.component,
      componentId: input.componentId,
      previousHolder: released && {
        lockId: released.lockId,
        info: released.info,
        runId: released.runId,
        acquiredAt: released.acquiredAt,
      },
    },
    released
      ? `${input.who} force-released ${describeLock(released)} on ${input.component}`
      : `${input.who} force-unlocked ${input.component}, which was not locked`,
  );
  return released;
}
