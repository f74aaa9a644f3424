import { execa } from "execa";

export interface ProcessResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Why Bosun stopped the process, when it did. */
  stoppedBy: "timeout" | "cancelled" | undefined;
  /** The executable could not be started at all (missing, not executable). */
  startError: string | undefined;
}

export interface ProcessOptions {
  cwd: string;
  /** The child's whole environment: nothing of Bosun's own leaks through. */
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called for each line as it is printed. */
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
  /** How long a stopped process tree has between SIGTERM and SIGKILL. */
  graceMs?: number;
}

/**
 * Runs one executable with an explicit environment and no shell, streaming its lines. On timeout
 * or cancel the whole process group is killed: execa's own timeout kills only the direct child,
 * and a grandchild holding stdout would keep the promise from settling.
 */
export async function runProcess(
  file: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  const started = performance.now();
  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    detached: true,
    cleanup: true,
    reject: false,
    stdin: "ignore",
    lines: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  let stoppedBy: ProcessResult["stoppedBy"];
  const stop = (why: "timeout" | "cancelled") => {
    stoppedBy ??= why;
    killGroup("SIGTERM");
    setTimeout(() => killGroup("SIGKILL"), options.graceMs ?? 5_000).unref();
  };
  const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
  const onAbort = () => stop("cancelled");
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });

  for (const stream of ["stdout", "stderr"] as const) {
    let pending = "";
    child[stream]?.setEncoding("utf8");
    child[stream]?.on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) options.onLine?.(stream, line.replace(/\r$/, ""));
    });
    child[stream]?.on("end", () => {
      if (pending !== "") options.onLine?.(stream, pending);
      pending = "";
    });
  }

  try {
    const result = await child;
    const startError =
      result.failed && result.exitCode === undefined && !stoppedBy && result.code
        ? `${file}: ${result.code === "ENOENT" ? "not found" : result.code}`
        : undefined;
    return {
      exitCode: result.exitCode,
      stdout: typeof result.stdout === "string" ? result.stdout : "",
      stderr: typeof result.stderr === "string" ? result.stderr : "",
      durationMs: performance.now() - started,
      stoppedBy,
      startError,
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    killGroup("SIGKILL");
  }
}
