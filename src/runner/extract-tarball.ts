import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { messageOf } from "../lib/error-fields.js";
import { createTarballLinks } from "./create-tarball-links.js";
import { createEntryPolicy } from "./tarball-entry-policy.js";
import type { TarballLimits } from "./tarball-limits.js";
import { unpackTarball, type ExtractedTarball } from "./unpack-tarball.js";

/**
 * Unpacks a GitHub repository tarball (`GET /repos/{owner}/{repo}/tarball/{ref}`): a gzip tar
 * whose entries all sit under one `owner-repo-sha/` folder, preceded by a pax global header that
 * carries the commit id.
 *
 * The tarball is the pull request's content, so it is hostile input. node-tar parses it; every
 * entry is then judged (`tarball-entry-policy.ts`), and node-tar's own unpacker is not used, because with
 * `preservePaths: false` it quietly rewrites what it will not write (it strips a leading `/`,
 * skips a `..` entry with a warning) where Bosun must refuse the whole archive and say why.
 * Files and directories are written as they stream past; symbolic links are created only once
 * every entry has been seen, so that no entry is ever written through a link, and a link is
 * judged against all the others (a link that is harmless alone can escape through another one,
 * e.g. `a -> .` with `b -> a/../..`).
 */

/**
 * Extracts `input` into `destDir` with the top-level folder stripped, writing only the entries
 * whose repo-relative POSIX path `keep` accepts (all, without it; the parent directories of a
 * kept entry are created either way). Limits count every entry of the archive, kept or not: they
 * bound the work a hostile archive can cause, not only the disk it fills.
 *
 * `destDir` is created when missing and must be empty: anything already there (a link above
 * all) could redirect a write. Files are written with mode 0644 or, when the archive marks them
 * executable, 0755; owners, times and special bits in the archive are ignored.
 *
 * Throws {@link TarballError} for anything wrong with the archive; nothing is then left in
 * `destDir`, and nothing is ever written outside it. Failures of the input stream or of the disk
 * are thrown as they come, wrapped with what was being done.
 */
export async function extractTarball(
  input: Readable | Buffer,
  destDir: string,
  limits: TarballLimits,
  keep?: (relPath: string) => boolean,
): Promise<ExtractedTarball> {
  const root = path.resolve(destDir);
  // A stream that fails while the destination is prepared would otherwise emit an unhandled
  // 'error'; its iterator reports the error once reading starts.
  if (!Buffer.isBuffer(input)) input.on("error", () => undefined);
  await prepareDestination(root);
  try {
    const policy = createEntryPolicy(limits, keep);
    const result = await unpackTarball(input, root, policy, limits.maxBytes);
    await createTarballLinks(root, policy.links);
    return result;
  } catch (error) {
    if (!Buffer.isBuffer(input)) input.destroy();
    await emptyDirectory(root);
    throw error;
  }
}

/** Best effort: a half-extracted tree must not be mistaken for the repository. */
async function emptyDirectory(root: string): Promise<void> {
  const names = await readdir(root).catch(() => []);
  await Promise.all(
    names.map((name) =>
      rm(path.join(root, name), { recursive: true, force: true }).catch(() => undefined),
    ),
  );
}

async function prepareDestination(root: string): Promise<void> {
  try {
    await mkdir(root, { recursive: true });
    const existing = await readdir(root);
    if (existing.length > 0) {
      throw new Error(`it already holds ${existing.length} entries; extraction needs an empty one`);
    }
  } catch (error) {
    throw new Error(`preparing ${root} to extract a tarball into: ${messageOf(error)}`, {
      cause: error,
    });
  }
}
