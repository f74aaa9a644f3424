import { setTimeout as sleep } from "node:timers/promises";
import { MASK, openKeyBlockStart } from "../lib/redact.js";
import type { RunStore } from "./run-port.js";

const FLUSH_LINES = 200;
const FLUSH_MS = 250;
/** Tries of one batch's insert, backing off from 250 ms to 8 s: about 40 s in all. */
const APPEND_ATTEMPTS = 8;

/**
 * The most of one phase's log that is stored, in bytes of UTF-8. An engine that prints without
 * end (a provider's debug output, a loop in a module) would otherwise fill the database and every
 * run page that opens the phase; past this one line says so and the rest is dropped.
 */
export const MAX_PHASE_LOG_BYTES = 16 * 1024 * 1024;

/**
 * Lines held back while a PEM private key block is open, waiting for its END line so the whole
 * key is scanned at once (an 8192-bit RSA key is about 100 lines). A block still open past this,
 * or when the phase ends, is stored as masked lines whole: it can only be key material.
 */
const MAX_KEY_BLOCK_LINES = 200;

export interface LogWriterOptions {
  /** Masks a batch of consecutive lines, line for line (Masker.maskLogLines). */
  maskLines?: (lines: readonly string[]) => Promise<string[]>;
  /** Replaces {@link MAX_PHASE_LOG_BYTES}. */
  maxBytes?: number;
}

type LogLine = { stream: "stdout" | "stderr"; line: string };

export interface LogWriter {
  write(stream: "stdout" | "stderr", line: string): void;
  /** Writes everything buffered; resolves once every line so far is stored. */
  flush(): Promise<void>;
}

/**
 * Streams a phase's lines into storage while the engine runs: batched (a line per insert would
 * cost more than the engine on a chatty apply) yet at most FLUSH_MS behind, so a slow apply
 * shows progress before it ends. Each batch is masked on its way (the credential scan is
 * asynchronous, and scanning a batch at once finds keys printed over several lines).
 */
export function createLogWriter(
  runs: Pick<RunStore, "appendLog">,
  phaseId: string,
  options: LogWriterOptions = {},
): LogWriter {
  const maxBytes = options.maxBytes ?? MAX_PHASE_LOG_BYTES;
  const maskLines = options.maskLines ?? (async (lines: readonly string[]) => [...lines]);
  let buffer: LogLine[] = [];
  let stored = 0;
  let truncated = false;
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let failure: unknown;

  const store = async (batch: LogLine[], maskedFrom: number): Promise<void> => {
    const masked = await maskLines(batch.map((entry) => entry.line));
    const lines = batch.map((entry, index) => ({
      stream: entry.stream,
      line: index >= maskedFrom ? MASK : (masked[index] ?? MASK),
    }));
    // A database restart or failover is brief; the phase should not fail for a log line.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await runs.appendLog(phaseId, lines);
        return;
      } catch (error) {
        if (attempt >= APPEND_ATTEMPTS) throw error;
        await sleep(Math.min(250 * 2 ** (attempt - 1), 8_000));
      }
    }
  };

  const flush = (final: boolean): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const open = openKeyBlockStart(buffer.map((entry) => entry.line));
    const holding = !final && open !== undefined && buffer.length - open < MAX_KEY_BLOCK_LINES;
    const batch = holding ? buffer.slice(0, open) : buffer;
    buffer = holding ? buffer.slice(open) : [];
    if (batch.length > 0) {
      const maskedFrom = open === undefined || holding ? batch.length : open;
      chain = chain
        .then(() => store(batch, maskedFrom))
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
      if (buffer.length >= FLUSH_LINES) void flush(false).catch(() => undefined);
      else timer ??= setTimeout(() => void flush(false).catch(() => undefined), FLUSH_MS);
    },
    flush: () => flush(true),
  };
}

/** The one line that ends a log cut at `maxBytes`. */
export function logTruncatedLine(maxBytes: number): string {
  const size =
    maxBytes % (1024 * 1024) === 0 ? `${maxBytes / 1024 / 1024} MiB` : `${maxBytes} bytes`;
  return `log truncated: this phase printed more than ${size}; the rest of its log is not stored`;
}
