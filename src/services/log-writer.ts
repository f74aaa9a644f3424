import type { RunStore } from "./ports.js";

const FLUSH_LINES = 200;
const FLUSH_MS = 250;

/**
 * The most of one phase's log that is stored, in bytes of UTF-8. An engine that prints without
 * end (a provider's debug output, a loop in a module) would otherwise fill the database and every
 * run page that opens the phase; past this one line says so and the rest is dropped.
 */
export const MAX_PHASE_LOG_BYTES = 16 * 1024 * 1024;

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
export function createLogWriter(
  runs: Pick<RunStore, "appendLog">,
  phaseId: string,
  maxBytes: number = MAX_PHASE_LOG_BYTES,
): LogWriter {
  let buffer: { stream: "stdout" | "stderr"; line: string }[] = [];
  let stored = 0;
  let truncated = false;
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
      if (truncated) return;
      stored += Buffer.byteLength(line, "utf8") + 1;
      if (stored > maxBytes) {
        truncated = true;
        buffer.push({ stream: "stderr", line: logTruncatedLine(maxBytes) });
      } else {
        buffer.push({ stream, line });
      }
      if (buffer.length >= FLUSH_LINES) void flush().catch(() => undefined);
      else timer ??= setTimeout(() => void flush().catch(() => undefined), FLUSH_MS);
    },
    flush,
  };
}

/** The one line that ends a log cut at `maxBytes`. */
export function logTruncatedLine(maxBytes: number): string {
  const size =
    maxBytes % (1024 * 1024) === 0 ? `${maxBytes / 1024 / 1024} MiB` : `${maxBytes} bytes`;
  return `log truncated: this phase printed more than ${size}; the rest of its log is not stored`;
}
