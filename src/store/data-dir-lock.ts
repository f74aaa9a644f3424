import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

/**
 * Who holds an embedded database: a running Bosun (`bosun start`, `web` or `worker`), which
 * serves local commands once it is up, or a `bosun` command, which holds it for a moment.
 */
export const LockRole = z.enum(["server", "command"]);
export type LockRole = z.infer<typeof LockRole>;

/** The lock file's content. `startedAt` tells this process from an earlier one with its pid. */
export const LockHolder = z.object({
  pid: z.number().int().positive(),
  role: LockRole,
  startedAt: z.number(),
});
export type LockHolder = z.infer<typeof LockHolder>;

export type LockAttempt =
  | { kind: "locked"; release(): Promise<void> }
  /** `holder` is undefined when the lock file names no process (damaged, or another format). */
  | { kind: "held"; holder: LockHolder | undefined };

/**
 * Takes the lock file of an embedded database's data directory, or says who holds it. PGlite has
 * no lock of its own: two processes open the same directory without a word and the second one's
 * writes are lost (tried with 0.5.16), so every opener goes through here.
 *
 * The file is made complete under a private name and linked into place, which fails when the
 * lock exists, so a reader never sees half a lock. A lock whose process is gone (a crash, a
 * SIGKILL) is stale and taken over, as PostgreSQL does with postmaster.pid; like PostgreSQL's, the
 * check and the takeover are two steps, so two processes starting in the same instant after a
 * crash could both take it.
 */
export async function tryLockDataDir(lockPath: string, role: LockRole): Promise<LockAttempt> {
  const mine: LockHolder = { pid: process.pid, role, startedAt: performance.timeOrigin };
  const text = `${JSON.stringify(mine)}\n`;
  const draft = `${lockPath}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await mkdir(path.dirname(lockPath), { recursive: true });
  await writeFile(draft, text, { mode: 0o600 });
  try {
    // A second try once a stale lock is removed; a third finding would be another process's.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await link(draft, lockPath);
        return { kind: "locked", release: () => releaseLock(lockPath, text) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const found = await readLock(lockPath);
      if (found === undefined) continue;
      const holder = parseHolder(found);
      if (!holder || isRunning(holder)) return { kind: "held", holder };
      // Removed only if it is still the same stale lock, not one a live process just took.
      if ((await readLock(lockPath)) === found) await rm(lockPath, { force: true });
    }
    const found = await readLock(lockPath);
    return { kind: "held", holder: found === undefined ? undefined : parseHolder(found) };
  } finally {
    await rm(draft, { force: true });
  }
}

/** The lock's text, or undefined when there is no lock file. */
async function readLock(lockPath: string): Promise<string | undefined> {
  try {
    return await readFile(lockPath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = LockHolder.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(holder: LockHolder): boolean {
  // A container restarted after a crash often gives Bosun the pid it had before.
  if (holder.pid === process.pid) return holder.startedAt === performance.timeOrigin;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the lock if it is still this holder's (a process that thought it stale may own it). */
async function releaseLock(lockPath: string, text: string): Promise<void> {
  if ((await readLock(lockPath)) === text) await rm(lockPath, { force: true });
}
