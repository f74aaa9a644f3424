import { execa } from "execa";
import { createLineAssembler } from "./line-assembler.js";
import { createOutputCapture } from "./output-capture.js";

/**
 * The most of one stream (stdout or stderr) a command's result keeps, in characters. Bosun parses
 * what the engine prints on stdout (`show -json` of the plan, the `-json` UI stream); a command
 * that prints more is stopped and fails (see {@link ProcessResult.outputLimitExceeded}) rather
 * than exhausting the worker's memory. 256 MiB holds the JSON plan of tens of thousands of
 * resources.
 */
export const MAX_OUTPUT_CHARS = 256 * 1024 * 1024;

export interface ProcessResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Why Bosun stopped the process, when it did. */
  stoppedBy: "timeout" | "cancelled" | undefined;
  /** The executable could not be started at all (missing, not executable). */
  startError: string | undefined;
  /** It printed more than its output limit on a stream, so it was stopped. */
  outputLimitExceeded: boolean;
}

export interface ProcessOptions {
  cwd: string;
  /** The child's whole environment: nothing of Bosun's own leaks through. */
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called for each line as it is printed, cut to MAX_LINE_CHARS (see line-assembler.ts). */
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
  /** How long a stopped process tree has between SIGTERM and SIGKILL. */
  graceMs?: number;
  /** Replaces {@link MAX_OUTPUT_CHARS}. */
  maxOutputChars?: number;
  /** Another account to start it as (Bosun as root hands sandboxed engines to "nobody"). */
  runAs?: { uid: number; gid: number };
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
    // Captured below instead, linearly and up to MAX_OUTPUT_CHARS: execa's own buffer took 13 s
    // and 900 MB of memory to fill 256 MiB on this project's machines.
    buffer: false,
    ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
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

  let outputLimitExceeded = false;
  const captured = {
    stdout: createOutputCapture(options.maxOutputChars ?? MAX_OUTPUT_CHARS),
    stderr: createOutputCapture(options.maxOutputChars ?? MAX_OUTPUT_CHARS),
  };
  for (const stream of ["stdout", "stderr"] as const) {
    const lines = createLineAssembler((line) => options.onLine?.(stream, line));
    child[stream]?.setEncoding("utf8");
    child[stream]?.on("data", (chunk: string) => {
      if (outputLimitExceeded) return;
      lines.push(chunk);
      if (captured[stream].push(chunk)) return;
      // Past the limit nothing more is kept or logged; the engine is stopped at once.
      outputLimitExceeded = true;
      lines.end();
      killGroup("SIGKILL");
    });
    child[stream]?.on("end", () => {
      if (!outputLimitExceeded) lines.end();
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
      stdout: withoutFinalNewline(captured.stdout.text()),
      stderr: withoutFinalNewline(captured.stderr.text()),
      durationMs: performance.now() - started,
      stoppedBy,
      startError,
      outputLimitExceeded,
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    killGroup("SIGKILL");
  }
}

/** As execa returns output by default, which callers and tests compare against. */
function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, "");
}
