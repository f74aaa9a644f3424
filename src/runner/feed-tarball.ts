import type { Readable } from "node:stream";
import type { Parser } from "tar";
import { messageOf } from "../lib/error-fields.js";
import { TarballError } from "./tarball-error.js";

const GZIP_MAGIC = [0x1f, 0x8b];
const BUFFER_CHUNK = 64 * 1024;

/**
 * Writes the input into the parser, pausing when it asks to. A Buffer is fed in slices: given
 * all at once, node-tar would decompress and queue the whole archive before the first entry is
 * judged against the limits.
 */
export async function feedTarball(
  input: Readable | Buffer,
  parser: Parser,
  failed: () => Error | undefined,
  fail: (error: Error) => void,
  finished: Promise<void>,
): Promise<void> {
  const chunks: AsyncIterable<unknown> | Iterable<Buffer> = Buffer.isBuffer(input)
    ? slices(input)
    : input;
  let head: Buffer | undefined = Buffer.alloc(0);
  try {
    for await (const chunk of chunks) {
      if (failed() !== undefined) return;
      let data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      if (head !== undefined) {
        // node-tar would also take a plain, zstd or brotli tar; GitHub sends gzip, so anything
        // else is not what was asked for.
        head = Buffer.concat([head, data]);
        if (head.length < GZIP_MAGIC.length) continue;
        if (!GZIP_MAGIC.every((byte, i) => head?.[i] === byte)) {
          fail(new TarballError("corrupt", "reading the tarball: it is not gzip-compressed"));
          return;
        }
        data = head;
        head = undefined;
      }
      if (!parser.write(data)) {
        await Promise.race([new Promise((resolve) => parser.once("drain", resolve)), finished]);
      }
    }
  } catch (error) {
    if (failed() === undefined) {
      fail(new Error(`reading the tarball stream: ${messageOf(error)}`, { cause: error }));
    }
    return;
  }
  if (failed() !== undefined) return;
  if (head !== undefined) {
    fail(new TarballError("corrupt", "reading the tarball: it is not gzip-compressed (too short)"));
    return;
  }
  parser.end();
}

function* slices(buffer: Buffer): Generator<Buffer> {
  for (let at = 0; at < buffer.length; at += BUFFER_CHUNK) {
    yield buffer.subarray(at, at + BUFFER_CHUNK);
  }
}
