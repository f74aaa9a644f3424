import type { RunStore } from "./ports.js";

const FLUSH_LINES = 200;
const FLUSH_MS = 250;

export interface LogWriter {
  write(stream: "stdout" | "stderr", line: string): void;
  /** Writes what is buffered; resolves once every line so far is stored. */
  flush(): Promise<void>;
}

/**
 * Streams a phase's lines into storage while the engine runs: batched (a line per insert would
 * cost more than the engine on a chatty apply) yet at most FLUSH_MS behind, so a slow apply
 * shows progress before it ends.
 */
export function createLogWriter(runs: Pick<RunStore, "appendLog">, phaseId: string): LogWriter {
  let buffer: { stream: "stdout" | "stderr"; line: string }[] = [];
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let failure: unknown;

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (buffer.length > 0) {
      const batch = buffer;
      buffer = [];
      chain = chain
        .then(() => runs.appendLog(phaseId, batch))
        .catch((error: unknown) => {
          failure ??= error;
        });
    }
    return chain.then(() => {
      if (failure) throw failure;
    });
  };

  return {
    write(stream, line) {
      buffer.push({ stream, line });
      if (buffer.length >= FLUSH_LINES) void flush().catch(() => undefined);
      else timer ??= setTimeout(() => void flush().catch(() => undefined), FLUSH_MS);
    },
    flush,
  };
}
