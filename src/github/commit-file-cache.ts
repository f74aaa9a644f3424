/**
 * Files read at a commit, remembered: a commit's content never changes, so `bosun.yml` at one
 * commit SHA costs one request per process, however many jobs read it (a re-plan, a `/plan`, a
 * push re-planning the same merge base). Only full commit SHAs are remembered, never a branch
 * (whose content moves); "not found" is remembered too. Bounded by entries and by characters, the
 * least recently used going first. Created per gateway and passed in (no module state).
 */
export interface CommitFileCache {
  /** `found: false` when nothing is remembered; `content` undefined when the file is not there. */
  get(
    repositoryFullName: string,
    path: string,
    ref: string,
  ): { found: true; content: string | undefined } | { found: false };
  /** Ignored for a ref that is not a full commit SHA, and for a file over the size limit. */
  set(repositoryFullName: string, path: string, ref: string, content: string | undefined): void;
}

/** A full commit SHA as Bosun receives them from GitHub (lowercase hex). */
const COMMIT_SHA = /^[0-9a-f]{40}$/;

export const isCommitSha = (ref: string): boolean => COMMIT_SHA.test(ref);

export function createCommitFileCache(
  options: {
    /** How many files at most. */
    maxEntries?: number;
    /** How many characters of content at most, all entries together. */
    maxChars?: number;
  } = {},
): CommitFileCache {
  const maxEntries = options.maxEntries ?? 500;
  const maxChars = options.maxChars ?? 8 * 1024 * 1024;
  for (const [name, value] of [
    ["maxEntries", maxEntries],
    ["maxChars", maxChars],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Error(
        `creating the commit file cache: ${name} must be a positive integer, got ${value}`,
      );
    }
  }
  // Map keeps insertion order: the first key is the least recently used.
  const entries = new Map<string, string | undefined>();
  let chars = 0;
  // Owner and repository names are case-insensitive on GitHub; paths in a commit are not.
  const keyOf = (fullName: string, path: string, sha: string) =>
    `${fullName.toLowerCase()}\n${sha}\n${path}`;
  const sizeOf = (content: string | undefined) => content?.length ?? 0;
  const remove = (key: string) => {
    if (!entries.has(key)) return;
    chars -= sizeOf(entries.get(key));
    entries.delete(key);
  };
  return {
    get(fullName, path, ref) {
      if (!isCommitSha(ref)) return { found: false };
      const key = keyOf(fullName, path, ref);
      if (!entries.has(key)) return { found: false };
      const content = entries.get(key);
      entries.delete(key);
      entries.set(key, content);
      return { found: true, content };
    },
    set(fullName, path, ref, content) {
      if (!isCommitSha(ref) || sizeOf(content) > maxChars) return;
      const key = keyOf(fullName, path, ref);
      remove(key);
      entries.set(key, content);
      chars += sizeOf(content);
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries && chars <= maxChars) break;
        remove(oldest);
      }
    },
  };
}
