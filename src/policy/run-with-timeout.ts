import { Script } from "node:vm";

export type TimedResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

/**
 * Runs `task` synchronously and stops it after `timeoutMs`. node:vm's `timeout` is the only way
 * to interrupt synchronous JavaScript in-process: its watchdog terminates whatever runs inside
 * the script, including functions of this context that the script calls. The vm is not a
 * sandbox here, only a stopwatch; `task` is Bosun's own code.
 * https://nodejs.org/api/vm.html#scriptrunincontextcontextifiedobject-options
 *
 * A terminated task runs no `finally` blocks, so a library it was in may keep state it meant to
 * undo (@bufbuild/cel's evaluation-context stack keeps one small entry per timeout; later
 * evaluations push their own above it and are unaffected).
 */
export function runWithTimeout<T>(task: () => T, timeoutMs: number): TimedResult<T> {
  let result: TimedResult<T> = { ok: false };
  const script = new Script("task()");
  try {
    script.runInNewContext(
      {
        task: () => {
          result = { ok: true, value: task() };
        },
      },
      { timeout: timeoutMs },
    );
  } catch (error) {
    if (isTimeout(error)) return { ok: false };
    throw error;
  }
  return result;
}

function isTimeout(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    error.code === "ERR_SCRIPT_EXECUTION_TIMEOUT"
  );
}
