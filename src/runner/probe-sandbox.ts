import { chmod, mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { runProcess } from "./exec.js";
import type { Sandbox } from "./sandbox.js";

export type SandboxProbe = { works: true } | { works: false; reason: string };

const PROBE_TIMEOUT_MS = 15_000;

/**
 * Runs a trivial command the way engines run, in a scratch workspace under `workspaceRoot`: a
 * shell that writes a file in its workspace. It works only if bwrap starts, the namespaces can be
 * made, and the sandbox's account can reach and write the workspace.
 */
export async function probeSandbox(
  sandbox: Sandbox | undefined,
  workspaceRoot: string,
): Promise<SandboxProbe> {
  if (!sandbox) return { works: false, reason: "bwrap (bubblewrap) is not installed" };
  try {
    return await probeIn(sandbox, workspaceRoot);
  } catch (error) {
    // Preparing the workspace can fail too (e.g. handing it to an account the host lacks).
    return { works: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

async function probeIn(sandbox: Sandbox, workspaceRoot: string): Promise<SandboxProbe> {
  await prepareWorkspaceRoot(workspaceRoot);
  const workspace = await mkdtemp(path.join(workspaceRoot, "probe-"));
  try {
    const command = await sandbox.wrap("/bin/sh", ["-c", "echo sandboxed > probe"], {
      workspace,
      cwd: workspace,
      pathVariable: "/usr/bin:/bin",
    });
    if ("startError" in command) return { works: false, reason: command.startError };
    const result = await runProcess(command.file, command.args, {
      cwd: workspace,
      env: { PATH: "/usr/bin:/bin", ...command.env },
      timeoutMs: PROBE_TIMEOUT_MS,
      ...(command.runAs ? { runAs: command.runAs } : {}),
    });
    const written = await readFile(path.join(workspace, "probe"), "utf8").catch(() => "");
    if (result.exitCode === 0 && written.trim() === "sandboxed") return { works: true };
    const why =
      result.startError ??
      (result.stderr.trim().split("\n").at(-1) || `exit ${String(result.exitCode)}`);
    const what = sandbox.kind === "bubblewrap" ? "bwrap" : "uid isolation";
    return { works: false, reason: `${what} could not run a command: ${why}` };
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

/**
 * Workspaces are reached through the data directory by bwrap, which may run as another account
 * (SANDBOX_USER), and by engines under uid isolation: both may be traversed, not listed (0711).
 * Its secrets (the key file, the embedded database, cached archives) are Bosun's alone by their
 * own modes; bubblewrap shows none of them anyway.
 */
export async function prepareWorkspaceRoot(workspaceRoot: string): Promise<void> {
  await mkdir(workspaceRoot, { recursive: true });
  await chmod(workspaceRoot, 0o711);
  const dataDir = path.dirname(workspaceRoot);
  const { mode, uid } = await stat(dataDir);
  const traversable = (mode & 0o7700) | 0o011;
  if (uid === process.getuid?.() && (mode & 0o7777) !== traversable)
    await chmod(dataDir, traversable);
}
