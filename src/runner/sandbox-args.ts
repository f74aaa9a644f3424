/** A path of the host as the sandbox shows it: a read-only directory or file, or a symlink. */
export type SystemPath = { path: string; symlinkTo?: string };

/** What one sandboxed command may see, and the command itself. */
export interface SandboxLayout {
  /** The run's own directory, bound read-write at the same path (it holds HOME and the stack). */
  workspace: string;
  /** Where the command starts (inside the workspace). */
  cwd: string;
  /** The system's directories and files, bound read-only (or recreated as symlinks) when present. */
  system: readonly SystemPath[];
  /** The operator's BOSUN_SANDBOX_PATHS, bound read-only; they must exist. */
  operatorPaths: readonly string[];
  /** Files outside the system directories that running the engine needs (it, its interpreter). */
  executables: readonly string[];
  command: { file: string; args: readonly string[] };
}

/**
 * The bubblewrap command line for one engine invocation. Nothing of the host is visible but what
 * is listed: no other process (own PID namespace and /proc), no host /tmp, no Bosun data
 * directory beyond this workspace. The network namespace stays shared: providers, the cloud and
 * Bosun's state backend are reached over it. --die-with-parent and the PID namespace make killing
 * bwrap kill everything the engine started; --new-session keeps it off Bosun's terminal.
 */
export function sandboxArgs(layout: SandboxLayout): string[] {
  const args = [
    "--unshare-user",
    "--disable-userns",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--cap-drop",
    "ALL",
    "--new-session",
    "--die-with-parent",
    "--hostname",
    "bosun-sandbox",
  ];
  for (const entry of layout.system) {
    if (entry.symlinkTo !== undefined) args.push("--symlink", entry.symlinkTo, entry.path);
    else args.push("--ro-bind-try", entry.path, entry.path);
  }
  // The private /tmp comes before the binds: an engine or a workspace may live under /tmp.
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp");
  for (const entry of layout.operatorPaths) args.push("--ro-bind", entry, entry);
  for (const file of layout.executables) args.push("--ro-bind", file, file);
  args.push("--bind", layout.workspace, layout.workspace, "--chdir", layout.cwd);
  args.push("--", layout.command.file, ...layout.command.args);
  return args;
}
