/**
 * Every kind of value Bosun keeps sealed under its encryption keys (src/lib/seal.ts), which
 * `bosun keys rotate` re-seals under the newest key.
 */
export const SEALED_KINDS = [
  "stack-secret",
  "notification-secret",
  "signing-key",
  "saved-workspace",
  "revision-outputs",
  "state-version",
] as const;
export type SealedKind = (typeof SEALED_KINDS)[number];

/** One sealed value: the row it lives in (its primary key, as text), the value and its context. */
export interface SealedValue {
  row: readonly string[];
  sealed: Buffer;
  /** The associated data it was sealed with (src/lib/seal-contexts.ts). */
  context: string;
}

export interface SealedValueStore {
  /** How many values of a kind there are, and how many of them name key `keyId`. */
  count(kind: SealedKind, keyId: string): Promise<{ total: number; underKey: number }>;
  /**
   * Up to `limit` values of a kind that do not name key `keyId`, in row order, after row `after`:
   * a pass walks a table once, whatever happens to the rows it leaves behind.
   */
  notUnderKey(
    kind: SealedKind,
    keyId: string,
    after: readonly string[] | undefined,
    limit: number,
  ): Promise<SealedValue[]>;
  /**
   * Writes `now` in place of `was`, only if the row still holds `was` (a write made meanwhile by
   * a running Bosun wins); says whether it did.
   */
  replace(kind: SealedKind, row: readonly string[], was: Buffer, now: Buffer): Promise<boolean>;
}
