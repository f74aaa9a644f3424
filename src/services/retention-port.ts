import type { RetentionKind, RetentionRule } from "../domain/retention.js";

/** A count of things and the bytes they take (their stored size: rows' column bytes, file sizes). */
export interface Tally {
  items: number;
  bytes: number;
}

/** Where one kind of retained data lives: the store's tables, or the tarball cache on disk. */
export interface RetentionTarget {
  /** All of it, now. */
  measure(): Promise<Tally>;
  /** What `rule` would delete. */
  expired(rule: RetentionRule): Promise<Tally>;
  /** Deletes what `rule` matches, a batch at a time; answers what it deleted. */
  remove(rule: RetentionRule): Promise<Tally>;
}

export type RetentionTargets = Record<RetentionKind, RetentionTarget>;
