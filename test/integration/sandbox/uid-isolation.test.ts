import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load-config.js";
import { cacheSourceArchives } from "../../../src/runner/cached-source-archive.js";
import { runProcess } from "../../../src/runner/exec.js";
import { probeSandbox } from "../../../src/runner/probe-sandbox.js";
import type { Sandbox } from "../../../src/runner/sandbox.js";
import { createUidIsolation, uidFor } from "../../../src/runner/uid-isolation.js";
import { openDatabase } from "../../../src/store/database.js";
import { eventually } from "../../helpers/deliver.js";

const PATH = "/usr/bin:/bin";
const SHA = "0123456789abcdef0123456789abcdef01234567";

/**
 * The engine: tries to read each target given, saying READ or DENIED for it, then writes and reads
 * back a file in its workspace, in HOME and in TMPDIR.
 */
const ATTACKER = `#!/bin/sh
for target in "$@"; do
  if cat "$target" >/dev/null 2>&1; then echo "READ $target"; else echo "DENIED $target"; fi
done
for dir in "$DATA_DIR" "$WORKSPACES"; do
  if ls "$dir" >/dev/null 2>&1; then echo "LISTED $dir"; else echo "UNLISTED $dir"; fi
done
echo mine > own && cat own && echo home > "$HOME/h" && cat "$HOME/h" && echo tmp > "$TMPDIR/t" && cat "$TMPDIR/t"
`;

/** Another run's engine: keeps a secret in its environment, and says its pid in its workspace. */
const VICTIM = `#!/bin/sh
echo secret > secret
echo $$ > pid
exec sleep 60
`;

/**
 * docs/security.md "Containers and Kubernetes": where bubblewrap cannot run and Bosun is root,
 * each workspace's engine runs as a uid of its own. Forced here (bubblewrap works on this
 * machine): an engine must read nothing of Bosun's (its process's environment, the data directory
 * as Bosun lays it out) nor of another run (its environment, its workspace), and still work in its
 * own workspace.
 */
describe.runIf(process.getuid?.() === 0)("uid isolation", () => {
  let root: string;
  let dataDir: string;
  let workspaceRoot: string;
  let bin: string;
  let isolation: Sandbox;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "bosun-uid-"));
    // The data directory's parents must be traversable by the engines' uids, as in production.
    await chmod(root, 0o711);
    bin = path.join(root, "bin");
    await mkdir(bin, { mode: 0o755 });
    await writeFile(path.join(bin, "attacker"), ATTACKER, { mode: 0o755 });
    await writeFile(path.join(bin, "victim"), VICTIM, { mode: 0o755 });
    dataDir = path.join(root, "data");
    workspaceRoot = path.join(dataDir, "workspaces");
    // The data directory as Bosun makes it: the development key, the embedded database, a cached
    // archive, and the workspace root prepared by the start-up probe.
    const config = await loadConfig({ BOSUN_DATA_DIR: dataDir });
    const database = await openDatabase(config.database);
    await database.close();
    await cacheSourceArchives(path.join(dataDir, "archives"), () =>
      Promise.resolve(Buffer.from("private source")),
    )({ installationId: 1, repositoryFullName: "acme/private", sha: SHA });
    isolation = createUidIsolation();
    expect(await probeSandbox(isolation, workspaceRoot)).toEqual({ works: true });
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  async function workspace(): Promise<string> {
    const dir = await mkdtemp(path.join(workspaceRoot, "ws-"));
    await mkdir(path.join(dir, "home"));
    return dir;
  }

  async function run(
    file: string,
    args: string[],
    dir: string,
    env: Record<string, string>,
    signal?: AbortSignal,
  ) {
    const command = await isolation.wrap(file, args, {
      workspace: dir,
      cwd: dir,
      pathVariable: PATH,
    });
    if ("startError" in command) throw new Error(command.startError);
    return runProcess(command.file, command.args, {
      cwd: dir,
      env: { PATH, HOME: path.join(dir, "home"), ...env, ...command.env },
      timeoutMs: 30_000,
      ...(signal ? { signal } : {}),
      ...(command.runAs ? { runAs: command.runAs } : {}),
    });
  }

  it("reads nothing of Bosun's nor of another run's, and works in its own workspace", async () => {
    const other = await workspace();
    const stop = new AbortController();
    const victim = run(
      path.join(bin, "victim"),
      [],
      other,
      { VICTIM_SECRET: "s3cret" },
      stop.signal,
    );
    try {
      const victimPid = await eventually(async () => {
        const text = await readFile(path.join(other, "pid"), "utf8").catch(() => "");
        return text.trim() || undefined;
      });
      const mine = await workspace();
      expect(uidFor(mine).uid).not.toBe(uidFor(other).uid);
      const targets = [
        `/proc/${process.pid}/environ`,
        `/proc/${victimPid}/environ`,
        path.join(dataDir, "encryption-key"),
        path.join(dataDir, "pgdata", "PG_VERSION"),
        path.join(dataDir, "archives", "acme__private", `${SHA}.tar.gz`),
        path.join(other, "secret"),
      ];
      const result = await run(path.join(bin, "attacker"), targets, mine, {
        DATA_DIR: dataDir,
        WORKSPACES: workspaceRoot,
      });
      expect(result.exitCode).toBe(0);
      // Root reads every target, so each DENIED is the isolation's doing.
      for (const target of targets) await expect(readFile(target)).resolves.toBeDefined();
      expect(result.stdout.split("\n")).toEqual([
        ...targets.map((target) => `DENIED ${target}`),
        `UNLISTED ${dataDir}`,
        `UNLISTED ${workspaceRoot}`,
        "mine",
        "home",
        "tmp",
      ]);
      const own = await stat(mine);
      expect([own.uid, own.mode & 0o777]).toEqual([uidFor(mine).uid, 0o700]);
      expect((await stat(path.join(dataDir, "pgdata"))).mode & 0o777).toBe(0o700);
    } finally {
      stop.abort();
      await victim;
    }
  });
});
