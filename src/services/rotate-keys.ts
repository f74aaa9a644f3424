import type { CommandResult } from "../lib/command-result.js";
import { type KeyRing, reseal, SealError } from "../lib/seal.js";
import { SEALED_KINDS, type SealedKind, type SealedValueStore } from "./sealed-value-port.js";

/** Rows read at a time: each is re-sealed and written in its own short transaction. */
const PAGE = 100;

export interface KindRotation {
  kind: SealedKind;
  total: number;
  resealed: number;
  /** Rows a running Bosun wrote meanwhile (under its own newest key); the next pass looks again. */
  changedMeanwhile: number;
  /** Rows no configured key opens, named by their primary key: never re-sealed, never deleted. */
  unopened: { row: string; reason: string }[];
  /** Values still under another key after the pass. */
  left: number;
}

/**
 * Re-seals every sealed value under the newest key (`bosun keys rotate`), online: a page of rows
 * at a time, each written back by compare-and-swap in its own statement, so it runs beside a
 * serving Bosun and a second run finds nothing to do.
 */
export async function rotateKeys(deps: {
  sealed: SealedValueStore;
  keys: KeyRing;
}): Promise<KindRotation[]> {
  const newest = deps.keys.newest.id;
  const outcome: KindRotation[] = [];
  for (const kind of SEALED_KINDS) {
    const rotation: KindRotation = {
      kind,
      total: (await deps.sealed.count(kind, newest)).total,
      resealed: 0,
      changedMeanwhile: 0,
      unopened: [],
      left: 0,
    };
    let after: readonly string[] | undefined;
    for (;;) {
      const page = await deps.sealed.notUnderKey(kind, newest, after, PAGE);
      for (const value of page) {
        let resealed: Buffer;
        try {
          resealed = reseal(deps.keys, value.sealed, value.context);
        } catch (error) {
          if (!(error instanceof SealError)) throw error;
          rotation.unopened.push({ row: value.row.join("/"), reason: error.message });
          continue;
        }
        if (await deps.sealed.replace(kind, value.row, value.sealed, resealed)) {
          rotation.resealed += 1;
        } else {
          rotation.changedMeanwhile += 1;
        }
      }
      if (page.length < PAGE) break;
      after = page.at(-1)?.row;
    }
    const counted = await deps.sealed.count(kind, newest);
    rotation.left = counted.total - counted.underKey;
    outcome.push(rotation);
  }
  return outcome;
}

/** `bosun keys rotate`: what was re-sealed, per kind, and whether the older keys may go. */
export async function rotateKeysCommand(deps: {
  sealed: SealedValueStore;
  keys: KeyRing;
}): Promise<CommandResult> {
  const rotations = await rotateKeys(deps);
  const newest = deps.keys.newest.id;
  const lines = rotations.map(
    (rotation) =>
      `${rotation.kind}: ${rotation.total} sealed, ${rotation.resealed} re-sealed under ${newest}` +
      (rotation.changedMeanwhile > 0 ? `, ${rotation.changedMeanwhile} changed meanwhile` : "") +
      (rotation.left > 0 ? `, ${rotation.left} still under another key` : ""),
  );
  const unopened = rotations.flatMap((rotation) =>
    rotation.unopened.map(
      (entry) => `bosun: ${rotation.kind} ${entry.row} cannot be opened: ${entry.reason}`,
    ),
  );
  const left = rotations.reduce((sum, rotation) => sum + rotation.left, 0);
  const older = deps.keys.keys.slice(1).map((entry) => entry.id);
  const verdict =
    left > 0
      ? `${left} values are still under an older key: keep every key, and run bosun keys rotate again once every Bosun process runs with ${newest} first`
      : older.length > 0
        ? `every sealed value is under ${newest}: ${older.join(", ")} can be removed from BOSUN_ENCRYPTION_KEYS`
        : `every sealed value is under ${newest}`;
  return {
    exitCode: left > 0 ? 1 : 0,
    stdout: `${[...lines, verdict].join("\n")}\n`,
    stderr: unopened.map((line) => `${line}\n`).join(""),
  };
}
