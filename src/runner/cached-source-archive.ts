import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SourceArchiveFetcher } from "../services/source-port.js";

const SHA = /^[0-9a-f]{40}$/;

/**
 * Keeps each commit's tarball on local disk once downloaded: a commit's content never changes, so
 * every component of a run (and the pre-plan inspection) costs one download per machine, not one
 * each. Only full commit SHAs are cached; anything else is fetched every time.
 */
export function cacheSourceArchives(
  dir: string,
  fetch: SourceArchiveFetcher,
): SourceArchiveFetcher {
  return async (input) => {
    if (!SHA.test(input.sha)) return fetch(input);
    const file = path.join(dir, input.repositoryFullName.replace("/", "__"), `${input.sha}.tar.gz`);
    const cached = await readFile(file).catch(() => undefined);
    if (cached) return cached;
    const archive = await fetch(input);
    // Other repositories' source: an engine under uid isolation reaches the data directory (0711)
    // and could guess these names, so only Bosun may open them.
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    // Written aside and renamed, so a concurrent reader never sees half a file.
    const partial = `${file}.${process.pid}.${Date.now()}.partial`;
    await writeFile(partial, archive, { mode: 0o600 });
    await rename(partial, file);
    return archive;
  };
}
