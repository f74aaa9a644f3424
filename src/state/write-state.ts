import { digest } from "../lib/seal.js";
import type { StateVersionHead } from "../services/state-port.js";
import { describeLock } from "./describe-lock.js";
import type { ManagedStateDeps } from "./managed-state-deps.js";
import { sealState } from "./state-envelope.js";
import { parseStateFile } from "./state-file.js";
import { refuse, type StateRefusal } from "./state-refusal.js";

/** 50 MiB: far above real states (a few MB for thousands of resources), far below memory trouble. */
export const MAX_STATE_BYTES = 50 * 1024 * 1024;

export type WriteStateResult =
  | { kind: "stored"; version: StateVersionHead }
  /** The same serial with the same bytes again: a retried write, answered as a success. */
  | { kind: "unchanged"; version: StateVersionHead }
  | StateRefusal;

/**
 * Appends a state version, unless it would lose data: a write must come from the lock holder when
 * the component is locked, keep the lineage, and move the serial forward. On any refusal the stored
 * state is untouched.
 */
export async function writeState(
  deps: Pick<ManagedStateDeps, "store" | "key" | "log" | "maxStateBytes">,
  input: {
    componentId: string;
    body: Buffer;
    /** The `?ID=` the engine sends while it holds the lock; undefined when it sends none. */
    lockId: string | undefined;
    runId: string | undefined;
  },
): Promise<WriteStateResult> {
  const result = await decide(deps, input);
  if (result.kind === "refused") {
    deps.log.warn(
      { componentId: input.componentId, runId: input.runId, code: result.code },
      `state write refused: ${result.message}`,
    );
  } else if (result.kind === "stored") {
    deps.log.info(
      {
        componentId: input.componentId,
        runId: input.runId,
        serial: result.version.serial,
        size: result.version.size,
      },
      "state version stored",
    );
  }
  return result;
}

async function decide(
  deps: Pick<ManagedStateDeps, "store" | "key" | "maxStateBytes">,
  input: Parameters<typeof writeState>[1],
): Promise<WriteStateResult> {
  const { componentId, body } = input;
  const limit = deps.maxStateBytes ?? MAX_STATE_BYTES;
  if (body.length > limit) {
    return refuse(
      "too-large",
      `the state is ${body.length} bytes, over the limit of ${limit} bytes`,
    );
  }
  const parsed = parseStateFile(body);
  if (parsed.kind === "refused") return parsed;
  const { state } = parsed;

  const bodyDigest = digest(body);
  // Sealed before the transaction, so that the component's row is held only for the checks.
  const sealedBody = sealState(deps.key, componentId, state.serial, body);

  return deps.store.exclusive(componentId, async (tx): Promise<WriteStateResult> => {
    const lock = await tx.lock();
    if (lock && input.lockId === undefined) {
      return refuse(
        "locked",
        `the state is locked by ${describeLock(lock)}; a write must carry the holder's lock ID (?ID=)`,
        lock.info,
      );
    }
    if (lock && input.lockId !== lock.lockId) {
      return refuse(
        "lock-mismatch",
        `the state is locked by ${describeLock(lock)}, not by lock ${input.lockId}`,
        lock.info,
      );
    }
    if (!lock && input.lockId !== undefined) {
      // The writer believes it holds a lock that is gone (force-unlocked, or released as a dead
      // run's): someone else may have written since, so its state is not to be trusted.
      return refuse(
        "lock-not-held",
        `lock ${input.lockId} is not held: it was released (force-unlock?) while the writer still used it`,
      );
    }
    const latest = await tx.latest();
    if (latest && latest.lineage !== state.lineage) {
      return refuse(
        "lineage-changed",
        `the state's lineage ${state.lineage} differs from the stored lineage ${latest.lineage}: this is another state, not a newer version of this one`,
      );
    }
    if (latest && state.serial < latest.serial) {
      return refuse(
        "serial-went-backwards",
        `the state's serial ${state.serial} is below the stored serial ${latest.serial}: writing it would lose newer changes`,
      );
    }
    if (latest && state.serial === latest.serial) {
      return latest.digest === bodyDigest
        ? { kind: "unchanged", version: latest }
        : refuse(
            "serial-reused",
            `serial ${state.serial} is already stored with different content: a changed state needs a higher serial`,
          );
    }
    const version = await tx.appendVersion({
      serial: state.serial,
      lineage: state.lineage,
      digest: bodyDigest,
      size: body.length,
      runId: input.runId,
      sealedBody,
    });
    return { kind: "stored", version };
  });
}
