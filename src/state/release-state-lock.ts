import type { ManagedStateDeps } from "./managed-state-deps.js";
import { parseLockInfo } from "./lock-info.js";
import type { StateRefusal } from "./state-refusal.js";

export type ReleaseStateLockResult =
  | { kind: "released" }
  /** Nothing to release: a retried UNLOCK, or a lock already force-released. */
  | { kind: "not-locked" }
  | { kind: "held-by-another"; holder: Record<string, unknown> }
  | StateRefusal;

/** The engine's UNLOCK: releases the lock when the body names its ID. */
export async function releaseStateLock(
  deps: Pick<ManagedStateDeps, "store" | "log">,
  input: { componentId: string; body: Buffer; runId: string | undefined },
): Promise<ReleaseStateLockResult> {
  const parsed = parseLockInfo(input.body);
  if (parsed.kind === "refused") {
    deps.log.warn({ componentId: input.componentId, code: parsed.code }, parsed.message);
    return parsed;
  }
  const { info } = parsed;
  const result = await deps.store.exclusive(
    input.componentId,
    async (tx): Promise<ReleaseStateLockResult> => {
      const held = await tx.lock();
      if (!held) return { kind: "not-locked" };
      if (held.lockId !== info.ID) return { kind: "held-by-another", holder: held.info };
      await tx.dropLock();
      return { kind: "released" };
    },
  );
  if (result.kind === "released") {
    deps.log.info(
      { componentId: input.componentId, runId: input.runId, lockId: info.ID },
      "state unlocked",
    );
  } else if (result.kind === "held-by-another") {
    deps.log.warn(
      { componentId: input.componentId, runId: input.runId, lockId: info.ID },
      "state unlock refused: the lock is held under another ID",
    );
  }
  return result;
}
