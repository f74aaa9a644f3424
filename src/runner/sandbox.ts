import { lchown, lstat, open, readdir, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { locateExecutable } from "../lib/locate-executable.js";
import { sandboxArgs, type SystemPath } from "./sandbox-args.js";

/**
 * The account sandboxed engines run as when Bosun runs as root ("nobody"): bwrap is started as
 * this user, so the user namespace maps to an unprivileged host uid and nothing inside is root on
 * the host, whatever it is called in there.
 */
export const SANDBOX_USER = { uid: 65534, gid: 65534 } as const;

/** A command to start instead of the engine itself, and the account to start it as. */
export interface SandboxedCommand {
  file: string;
  args: string[];
  runAs: { uid: number; gid: number } | undefined;
  /** Variables the command needs on top of the engine's environment (uid isolation's TMPDIR). */
  env?: Record<string, string>;
}

export interface Sandbox {
  readonly kind: "bubblewrap" | "uid";
  /**
   * The command that runs `file args` confined to `workspace`, or why it cannot start (the
   * executable is not found). Hands the workspace to the sandbox's account first.
   */
  wrap(
    file: string,
    args: readonly string[],
    place: {
      workspace: string;
      cwd: string;
      pathVariable: string | undefined;
      /** Executables the command starts in turn (Terragrunt's engine), shown read-only. */
      alsoVisible?: readonly string[];
    },
  ): Promise<SandboxedCommand | { startError: string }>;
}

/**
 * The host paths a sandboxed engine sees read-only: the system's programs and libraries, and what
 * name resolution and TLS need. No /home, /root, /var, /run, /proc of the host, nor /etc beyond
 * these (no shadow, no machine secrets).
 */
export const SYSTEM_PATHS = [
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/etc/alternatives",
  "/etc/ca-certificates",
  "/etc/crypto-policies",
  "/etc/pki",
  "/etc/ssl",
  "/etc/resolv.conf",
  "/etc/hosts",
  "/etc/host.conf",
  "/etc/gai.conf",
  "/etc/nsswitch.conf",
  "/etc/services",
  "/etc/protocols",
  "/etc/localtime",
  "/etc/passwd",
  "/etc/group",
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/mime.types",
] as const;

export async function createSandbox(options: {
  bwrap: string;
  /** BOSUN_SANDBOX_PATHS: absolute, read-only. */
  operatorPaths: readonly string[];
  /** Bosun's own uid: root hands engines to SANDBOX_USER. */
  uid: number | undefined;
}): Promise<Sandbox> {
  const system = await describeSystemPaths();
  const runAs = options.uid === 0 ? SANDBOX_USER : undefined;
  const underSystem = (file: string) =>
    system.some((entry) => file === entry.path || file.startsWith(`${entry.path}/`));
  return {
    kind: "bubblewrap",
    async wrap(file, args, place) {
      const engine = await locateExecutable(file, place.pathVariable, place.cwd);
      if (!engine) return { startError: `${file}: not found` };
      const started = [engine, ...(place.alsoVisible ?? [])];
      const interpreters = await Promise.all(
        started.map((file) => interpreterOf(file, place.pathVariable)),
      );
      const executables = [...new Set([...started, ...interpreters.flat()])].filter(
        (candidate) => !underSystem(candidate),
      );
      if (runAs) await handOver(place.workspace, runAs);
      return {
        file: options.bwrap,
        args: sandboxArgs({
          workspace: place.workspace,
          cwd: place.cwd,
          system,
          operatorPaths: options.operatorPaths,
          executables,
          command: { file: engine, args },
        }),
        runAs,
      };
    },
  };
}

/** Top-level symlinks (/bin → usr/bin on merged-/usr systems) are recreated; the rest is bound. */
async function describeSystemPaths(): Promise<SystemPath[]> {
  const found: SystemPath[] = [];
  for (const entry of SYSTEM_PATHS) {
    const stat = await lstat(entry).catch(() => undefined);
    if (!stat) continue;
    const topLevel = path.dirname(entry) === "/";
    if (stat.isSymbolicLink() && topLevel)
      found.push({ path: entry, symlinkTo: await readlink(entry) });
    else found.push({ path: entry });
  }
  return found;
}

/**
 * A script's interpreter, which the sandbox must show too (`#!/usr/bin/env node` → node on PATH).
 * One level: an interpreter that is itself a script is the operator's to list in
 * BOSUN_SANDBOX_PATHS.
 */
async function interpreterOf(file: string, pathVariable: string | undefined): Promise<string[]> {
  const handle = await open(file, "r");
  let head: string;
  try {
    const buffer = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead).toString("latin1");
  } finally {
    await handle.close();
  }
  if (!head.startsWith("#!")) return [];
  const [interpreter, ...rest] = (head.slice(2).split("\n")[0] ?? "").trim().split(/\s+/);
  if (!interpreter) return [];
  if (path.basename(interpreter) !== "env")
    return [await realpath(interpreter).catch(() => interpreter)];
  const program = rest.find((word) => !word.startsWith("-"));
  const found = program ? await locateExecutable(program, pathVariable, "/") : undefined;
  return found ? [interpreter, found] : [interpreter];
}

/** The workspace (files Bosun wrote as root) becomes the sandbox account's, so the engine can write. */
export async function handOver(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  await lchown(dir, owner.uid, owner.gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) await handOver(child, owner);
    else await lchown(child, owner.uid, owner.gid);
  }
}
