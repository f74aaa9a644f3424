import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LockHolder, tryLockDataDir } from "../../../src/store/data-dir-lock.js";

/** The pid of a process that has exited. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  if (!pid) throw new Error("no process started");
  return pid;
}

describe("the embedded database's lock file", () => {
  let dir: string;
  let lock: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "bosun-lock-"));
    lock = path.join(dir, "pgdata.lock");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const writeHolder = (holder: LockHolder) => writeFile(lock, JSON.stringify(holder));

  it("is taken with this process's pid and role, 0600, and removed on release", async () => {
    const attempt = await tryLockDataDir(lock, "server");
    expect(attempt.kind).toBe("locked");
    expect(JSON.parse(await readFile(lock, "utf8"))).toEqual({
      pid: process.pid,
      role: "server",
      startedAt: performance.timeOrigin,
    });
    expect((await stat(lock)).mode & 0o777).toBe(0o600);
    if (attempt.kind === "locked") await attempt.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("names the live process that holds it, this one included", async () => {
    const parent = { pid: process.ppid, role: "command", startedAt: 1 } as const;
    await writeHolder(parent);
    expect(await tryLockDataDir(lock, "server")).toEqual({ kind: "held", holder: parent });
    const self = { pid: process.pid, role: "server", startedAt: performance.timeOrigin } as const;
    await writeHolder(self);
    expect(await tryLockDataDir(lock, "command")).toEqual({ kind: "held", holder: self });
  });

  it.each<[string, () => LockHolder]>([
    ["a process that has exited", () => ({ pid: deadPid(), role: "server", startedAt: 1 })],
    [
      "an earlier process that had this one's pid (a restarted container)",
      () => ({ pid: process.pid, role: "server", startedAt: performance.timeOrigin - 60_000 }),
    ],
  ])("takes over a lock left by %s", async (_, holder) => {
    await writeHolder(holder());
    const attempt = await tryLockDataDir(lock, "command");
    expect(attempt.kind).toBe("locked");
    expect(JSON.parse(await readFile(lock, "utf8"))).toMatchObject({ pid: process.pid });
    if (attempt.kind === "locked") await attempt.release();
  });

  it("leaves alone a lock that names no process", async () => {
    await writeFile(lock, "not a lock\n");
    expect(await tryLockDataDir(lock, "command")).toEqual({ kind: "held", holder: undefined });
    expect(await readFile(lock, "utf8")).toBe("not a lock\n");
  });

  it("does not remove on release a lock another process has taken over since", async () => {
    const attempt = await tryLockDataDir(lock, "command");
    const other = JSON.stringify({ pid: process.ppid, role: "server", startedAt: 1 });
    await writeFile(lock, other);
    if (attempt.kind === "locked") await attempt.release();
    expect(await readFile(lock, "utf8")).toBe(other);
  });
});
