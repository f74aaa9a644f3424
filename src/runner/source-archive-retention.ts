import { readdir, stat, unlink } from "node:fs/promises";
import path from "node:path";
import type { RetentionRule } from "../domain/retention.js";
import type { RetentionTarget, Tally } from "../services/retention-port.js";

interface CachedFile {
  file: string;
  bytes: number;
  modifiedAt: Date;
}

/**
 * The tarball cache (src/runner/cached-source-archive.ts: `dir/<owner>__<repo>/<sha>.tar.gz`, and
 * `.partial` files a crash left) as a retention target: a file older than the period, by its
 * modification time (when it was downloaded), is deleted; a later run downloads it again.
 */
export function sourceArchiveRetention(dir: string): RetentionTarget {
  const files = async (): Promise<CachedFile[]> => {
    const repositories = await readdir(dir, { withFileTypes: true }).catch(
      (error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? [] : Promise.reject(error)),
    );
    const found: CachedFile[] = [];
    for (const repository of repositories.filter((entry) => entry.isDirectory())) {
      const folder = path.join(dir, repository.name);
      for (const entry of await readdir(folder, { withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const file = path.join(folder, entry.name);
        const info = await stat(file).catch(() => undefined);
        if (info) found.push({ file, bytes: info.size, modifiedAt: info.mtime });
      }
    }
    return found;
  };
  const olderThan = (rule: RetentionRule): Date => {
    if ("olderThan" in rule) return rule.olderThan;
    throw new Error("cached tarballs are kept for a period, not by count");
  };
  const tally = (list: readonly CachedFile[]): Tally => ({
    items: list.length,
    bytes: list.reduce((sum, file) => sum + file.bytes, 0),
  });
  const expired = async (rule: RetentionRule) => {
    const cutoff = olderThan(rule);
    return (await files()).filter((file) => file.modifiedAt < cutoff);
  };
  return {
    measure: async () => tally(await files()),
    expired: async (rule) => tally(await expired(rule)),
    async remove(rule) {
      const removed: CachedFile[] = [];
      for (const file of await expired(rule)) {
        // Another process may have removed it first; a run reading it has it open already.
        const gone = await unlink(file.file).then(
          () => true,
          (error: NodeJS.ErrnoException) =>
            error.code === "ENOENT" ? false : Promise.reject(error),
        );
        if (gone) removed.push(file);
      }
      return tally(removed);
    },
  };
}
