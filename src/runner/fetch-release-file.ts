import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

/** How long one request may take, and how much it may bring. */
export interface FetchBounds {
  timeoutMs: number;
  maxBytes: number;
  /** The fetch to use: a proxied one behind HTTPS_PROXY (src/lib/proxy-agent.ts); else global. */
  fetch?: typeof fetch | undefined;
}

/** A release file that could not be fetched: its URL and why. */
export class ReleaseFetchError extends Error {
  override readonly name = "ReleaseFetchError";
}

async function open(url: string, bounds: FetchBounds): Promise<Readable> {
  let response: Response;
  try {
    response = await (bounds.fetch ?? fetch)(url, {
      signal: AbortSignal.timeout(bounds.timeoutMs),
      headers: { "user-agent": "bosun" },
    });
  } catch (error) {
    throw new ReleaseFetchError(`fetching ${url}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new ReleaseFetchError(`fetching ${url}: HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > bounds.maxBytes) {
    await response.body.cancel();
    throw new ReleaseFetchError(
      `fetching ${url}: ${declared} bytes, over the ${bounds.maxBytes} allowed`,
    );
  }
  return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
}

/** Counts what passes and stops past `maxBytes`: a server may not say, or lie about, a length. */
function bounded(url: string, maxBytes: number, onChunk: (chunk: Buffer) => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) {
        done(new ReleaseFetchError(`fetching ${url}: over the ${maxBytes} bytes allowed`));
        return;
      }
      onChunk(chunk);
      done(null, chunk);
    },
  });
}

/** A small release file (a listing, SHA256SUMS, a signature), whole. */
export async function fetchReleaseBytes(url: string, bounds: FetchBounds): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const counter = bounded(url, bounds.maxBytes, (chunk) => chunks.push(chunk));
  try {
    await pipeline(await open(url, bounds), counter, async (source: AsyncIterable<Buffer>) => {
      // Drains the counter, which has kept each chunk.
      for await (const chunk of source) void chunk;
    });
  } catch (error) {
    throw wrap(url, error);
  }
  return Buffer.concat(chunks);
}

/** An archive, written to `file` as it arrives; resolves to its SHA-256 in hex. */
export async function fetchReleaseToFile(
  url: string,
  file: string,
  bounds: FetchBounds,
): Promise<string> {
  const hash = createHash("sha256");
  const body = await open(url, bounds);
  try {
    await pipeline(
      body,
      bounded(url, bounds.maxBytes, (chunk) => hash.update(chunk)),
      createWriteStream(file, { flags: "wx", mode: 0o600 }),
    );
  } catch (error) {
    throw wrap(url, error);
  }
  return hash.digest("hex");
}

function wrap(url: string, error: unknown): ReleaseFetchError {
  if (error instanceof ReleaseFetchError) return error;
  return new ReleaseFetchError(`fetching ${url}: ${(error as Error).message}`, { cause: error });
}
