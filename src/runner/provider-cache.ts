import { randomUUID } from "node:crypto";
import { cp, lstat, mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";

/**
 * The shared provider cache (BOSUN_DATA_DIR/providers) and each run's private copy of it.
 *
 * OpenTofu and Terraform can share one TF_PLUGIN_CACHE_DIR, but concurrent `init`s corrupt it
 * (runatlantis/atlantis#5364; Terraform has no locking there at all, OpenTofu only since 1.10).
 * So no engine ever writes the shared cache: each phase's engine gets a private cache inside its
 * own workspace, seeded with the shared entries its lock file names, and after `init` Bosun moves
 * what the engine downloaded into the shared cache, one entry (provider, version, platform) at a
 * time, by renaming a finished copy into place. An entry is never replaced once there, so a
 * reader sees a whole entry or none, and a run cannot alter what other runs use; and since the
 * private cache lives in the workspace, the sandbox needs no mount beyond the one it has.
 *
 * Why seeding follows the lock file: since Terraform 1.4 (and in OpenTofu) the engine uses a cache
 * entry only when `.terraform.lock.hcl` already holds its checksum (hashicorp/terraform#32129),
 * so an entry the lock file does not name would be downloaded again anyway.
 */

/** Entries are `HOST/NAMESPACE/TYPE/VERSION/PLATFORM`, the layout both engines use. */
const ENTRY_DEPTH = 5;
const LOCK_FILE = ".terraform.lock.hcl";

/** Copies into `privateDir` the shared entries (every platform) of the providers `stackDir`'s lock file names. */
export async function seedProviderCache(input: {
  sharedDir: string;
  privateDir: string;
  stackDir: string;
}): Promise<string[]> {
  await mkdir(input.privateDir, { recursive: true });
  const lock = await readFile(path.join(input.stackDir, LOCK_FILE), "utf8").catch(() => "");
  const seeded: string[] = [];
  for (const { source, version } of lockedProviders(lock)) {
    const relative = path.join(source, version);
    // A source or version that climbs out (a crafted lock file) names nothing of the cache.
    if (!isPlainRelative(relative, 4)) continue;
    const from = path.join(input.sharedDir, relative);
    if (!(await isDirectory(from))) continue;
    await cp(from, path.join(input.privateDir, relative), { recursive: true, filter: notLink });
    seeded.push(`${source} ${version}`);
  }
  return seeded;
}

/** Moves into `sharedDir` the entries of `privateDir` it does not have yet; returns them. */
export async function mergeProviderCache(input: {
  sharedDir: string;
  privateDir: string;
}): Promise<string[]> {
  const incoming = path.join(input.sharedDir, ".incoming");
  await mkdir(incoming, { recursive: true });
  const merged: string[] = [];
  for (const entry of await entriesUnder(input.privateDir)) {
    const target = path.join(input.sharedDir, entry);
    if (await exists(target)) continue;
    const staging = path.join(incoming, randomUUID());
    await cp(path.join(input.privateDir, entry), staging, { recursive: true, filter: notLink });
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(staging, target);
      merged.push(entry.split(path.sep).join("/"));
    } catch (error) {
      // Another run put the same entry in place first: its copy is as good as this one.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  return merged;
}

/** `provider "SOURCE" { version = "V" … }` blocks of a lock file. */
function lockedProviders(text: string): { source: string; version: string }[] {
  const found: { source: string; version: string }[] = [];
  for (const match of text.matchAll(/provider\s+"([^"]+)"\s*\{([^}]*)\}/g)) {
    const version = /\bversion\s*=\s*"([^"]+)"/.exec(match[2] ?? "")?.[1];
    if (match[1] && version) found.push({ source: match[1], version });
  }
  return found;
}

/** The relative paths, ENTRY_DEPTH deep, of the real directories under `root`. */
async function entriesUnder(root: string, depth = ENTRY_DEPTH, prefix = ""): Promise<string[]> {
  if (depth === 0) return [prefix];
  const names = await readdir(path.join(root, prefix), { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of names) {
    if (!entry.isDirectory()) continue;
    found.push(...(await entriesUnder(root, depth - 1, path.join(prefix, entry.name))));
  }
  return found;
}

function isPlainRelative(relative: string, segments: number): boolean {
  const parts = relative.split(path.sep);
  return parts.length === segments && parts.every((part) => part !== "" && part !== "..");
}

/** Links are not copied either way: a cache entry is files and directories only. */
async function notLink(source: string): Promise<boolean> {
  return !(await lstat(source)).isSymbolicLink();
}

async function isDirectory(file: string): Promise<boolean> {
  return (await lstat(file).catch(() => undefined))?.isDirectory() ?? false;
}

async function exists(file: string): Promise<boolean> {
  return (await lstat(file).catch(() => undefined)) !== undefined;
}
