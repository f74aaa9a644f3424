import { lstat, readdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { extractTarball } from "./extract-tarball.js";
import type { TarballLimits } from "./tarball-limits.js";
import { findStackPaths } from "./local-modules.js";

export const SOURCE_LIMITS: TarballLimits = { maxBytes: 512 * 1024 * 1024, maxFiles: 100_000 };

/**
 * PREPARING's source step: the commit's tarball extracted into `repoDir`, then cut down to the
 * stack's directory and the local modules it references, so nothing else of the repository is
 * on disk while the engine runs.
 */
export async function prepareSourceTree(input: {
  archive: Readable | Buffer;
  repoDir: string;
  stackDir: string;
  limits?: TarballLimits;
}): Promise<{ keptPaths: string[]; files: number; bytes: number }> {
  const extracted = await extractTarball(
    input.archive,
    input.repoDir,
    input.limits ?? SOURCE_LIMITS,
  );
  const keptPaths = await findStackPaths(input.repoDir, input.stackDir);
  await pruneTo(input.repoDir, "", keptPaths);
  return { keptPaths, ...extracted };
}

async function pruneTo(root: string, relative: string, keep: readonly string[]): Promise<void> {
  for (const entry of await readdir(path.join(root, relative))) {
    const child = relative === "" ? entry : `${relative}/${entry}`;
    const kept = keep.some((dir) => dir === "." || child === dir || child.startsWith(`${dir}/`));
    if (kept) continue;
    const ancestor = keep.some((dir) => dir.startsWith(`${child}/`));
    const full = path.join(root, child);
    if (ancestor && (await lstat(full)).isDirectory()) {
      await pruneTo(root, child, keep);
    } else {
      await rm(full, { recursive: true, force: true });
    }
  }
}
