import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../../../src/runner/exec.js";
import { eventually } from "../../helpers/deliver.js";
import { probeSandbox } from "../../../src/runner/probe-sandbox.js";
import { createSandbox, SANDBOX_USER, type Sandbox } from "../../../src/runner/sandbox.js";

/** The sandbox around real processes: what they see, what they may write, how they end. */
describe("the bubblewrap sandbox", () => {
  let dataDir: string;
  let workspace: string;
  let sandbox: Sandbox;

  const run = async (script: string, timeoutMs = 20_000) => {
    const command = await sandbox.wrap("/bin/sh", ["-c", script], {
      workspace,
      cwd: workspace,
      pathVariable: "/usr/bin:/bin",
    });
    if ("startError" in command) throw new Error(command.startError);
    return runProcess(command.file, command.args, {
      cwd: workspace,
      env: { PATH: "/usr/bin:/bin", HOME: path.join(workspace, "home") },
      timeoutMs,
      graceMs: 500,
      ...(command.runAs ? { runAs: command.runAs } : {}),
    });
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "bosun-sandbox-"));
    await writeFile(path.join(dataDir, "encryption-key"), "not-for-engines\n", { mode: 0o600 });
    sandbox = await createSandbox({
      bwrap: "/usr/bin/bwrap",
      operatorPaths: [],
      uid: process.getuid?.(),
    });
    expect(await probeSandbox(sandbox, path.join(dataDir, "workspaces"))).toEqual({ works: true });
    workspace = await mkdtemp(path.join(dataDir, "workspaces", "ws-"));
    await mkdir(path.join(workspace, "home"));
    await mkdir(path.join(dataDir, "workspaces", "ws-other"));
    await writeFile(path.join(dataDir, "workspaces", "ws-other", "main.tf"), "# another run\n");
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("shows only its own processes", async () => {
    const result = await run(
      "ls /proc | grep -E '^[0-9]+$' | wc -l; cat /proc/1/cmdline | tr '\\0' ' '",
    );
    const [count, init] = result.stdout.trim().split("\n");
    // bwrap's init, the shell, ls, grep, wc: nothing of the host.
    expect(Number(count)).toBeLessThan(8);
    expect(init).toMatch(/bwrap /);
  });

  it("sees nothing of the data directory but its workspace, and may write only there", async () => {
    const result = await run(
      [
        `cat ${dataDir}/encryption-key || echo key-unreadable`,
        `ls ${dataDir}/workspaces`,
        "echo written > here && cat here",
        "echo x > /usr/bosun-test 2>/dev/null || echo usr-read-only",
        "echo x > /tmp/scratch && echo tmp-writable",
        "ls /root /home /var 2>&1 | head -3 || true",
      ].join("; "),
    );
    expect(result.stdout).toContain("key-unreadable");
    expect(result.stdout).not.toContain("not-for-engines");
    expect(result.stdout).not.toContain("ws-other");
    expect(result.stdout).toContain(path.basename(workspace));
    expect(result.stdout).toContain("written");
    expect(result.stdout).toContain("usr-read-only");
    expect(result.stdout).toContain("tmp-writable");
    // The private /tmp is gone with the sandbox.
    await expect(stat("/tmp/scratch")).rejects.toThrow();
    expect(await readFile(path.join(workspace, "here"), "utf8")).toBe("written\n");
  });

  it("has no capabilities, and is not root on the host when Bosun is", async () => {
    const result = await run("grep CapEff /proc/self/status; id -u");
    expect(result.stdout).toMatch(/CapEff:\s+0000000000000000/);
    if (process.getuid?.() === 0) {
      expect((await stat(path.join(workspace, "here"))).uid).toBe(SANDBOX_USER.uid);
    }
  });

  it("is killed whole on timeout, with what it started, even a child ignoring SIGTERM", async () => {
    // A duration no other process sleeps: found in `ps` if anything survived.
    const marker = `987.${process.pid}`;
    const result = await run(`trap '' TERM; sleep ${marker} & sleep ${marker} & wait`, 1_500);
    expect(result.stoppedBy).toBe("timeout");
    // The PID namespace goes with its first process; the kernel reaps the rest right after.
    const survivors = async () =>
      (await promisify(execFile)("ps", ["-eo", "args"])).stdout
        .split("\n")
        .filter((line) => line.includes(marker));
    await eventually(async () => ((await survivors()).length === 0 ? true : undefined), {
      timeoutMs: 5_000,
    });
    expect(await survivors()).toEqual([]);
  });

  it("says an engine that is not there cannot start", async () => {
    const command = await sandbox.wrap("no-such-engine", ["version"], {
      workspace,
      cwd: workspace,
      pathVariable: "/usr/bin:/bin",
    });
    expect(command).toEqual({ startError: "no-such-engine: not found" });
  });
});
