import { lstat, readdir, readlink, rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { extractTarball } from "./extract-tarball.js";
import type { TarballLimits } from "./tarball-limits.js";
import { findStackPaths } from "./local-modules.js";
import { findReferencedFiles } from "./referenced-files.js";

export const SOURCE_LIMITS: TarballLimits = { maxBytes: 512 * 1024 * 1024, maxFiles: 100_000 };

/**
 * PREPARING's source step: the commit's tarball extracted into `repoDir`, then, unless the stack
 * asks for the whole checkout (`full`), cut down to what the stack reads: its directory, the
 * local modules it references, its var files (`varFiles`, repo-relative, wherever they lie), the
 * files its `file()`/`templatefile()` calls name literally, and whatever links among those point
 * to. Nothing else of the repository is on disk while the engine runs.
 */
export async function prepareSourceTree(input: {
  archive: Readable | Buffer;
  repoDir: string;
  stackDir: string;
  varFiles?: readonly string[];
  full?: boolean;
  limits?: TarballLimits;
}): Promise<{ keptPaths: string[]; files: number; bytes: number }> {
  const extracted = await extractTarball(
    input.archive,
    input.repoDir,
    input.limits ?? SOURCE_LIMITS,
  );
  if (input.full) return { keptPaths: ["."], ...extracted };
  // bosun.yml refuses these (cross-check-stacks.ts); a spec is checked again where it is used.
  const outside = input.varFiles?.find((file) => file === ".." || file.startsWith("../"));
  if (outside !== undefined) throw new Error(`var file ${outside} lies outside the repository`);
  const dirs = await findStackPaths(input.repoDir, input.stackDir);
  const files = await findReferencedFiles(input.repoDir, input.stackDir, dirs);
  const keptPaths = await withLinkTargets(input.repoDir, [
    ...dirs,
    ...(input.varFiles ?? []),
    ...files,
  ]);
  await pruneTo(input.repoDir, "", keptPaths);
  return { keptPaths, ...extracted };
}

/**
 * `paths` and, transitively, what the links in them point to. Extraction already refused links
 * that leave the repository (tarball-entry-policy.ts), so every target is inside; one that is not
 * there (a dangling link) is not kept either. Each hop of a chain is kept, as the engine follows
 * each.
 */
async function withLinkTargets(root: string, paths: readonly string[]): Promise<string[]> {
  const kept = new Set<string>();
  const seen = new Set<string>();
  // `listed`: kept itself; otherwise only walked, for the links inside a kept directory.
  const queue = paths.map((rel) => ({ rel, listed: true }));
  for (let item = queue.pop(); item !== undefined; item = queue.pop()) {
    const { rel, listed } = item;
    if (listed) kept.add(rel);
    if (seen.has(rel)) continue;
    seen.add(rel);
    const full = path.join(root, rel);
    const stat = await lstat(full).catch(() => undefined);
    if (stat?.isSymbolicLink()) {
      const target = path.relative(root, path.resolve(path.dirname(full), await readlink(full)));
      const inside = target !== "" && !target.startsWith("..") && !path.isAbsolute(target);
      if (inside) queue.push({ rel: target.split(path.sep).join("/"), listed: true });
    } else if (stat?.isDirectory()) {
      for (const entry of await readdir(full)) {
        queue.push({ rel: rel === "." ? entry : `${rel}/${entry}`, listed: false });
      }
    }
  }
  return collapse([...kept]);
}

/** The paths without those a kept directory already covers, sorted. */
function collapse(paths: readonly string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  if (sorted.includes(".")) return ["."];
  return sorted.filter(
    (candidate) => !sorted.some((dir) => dir !== candidate && candidate.startsWith(`${dir}/`)),
  );
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
