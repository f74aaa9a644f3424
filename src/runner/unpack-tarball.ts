import { constants as fsConstants } from "node:fs";
import { mkdir, open, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { Parser, ReadEntry } from "tar";
import { codeOf, messageOf } from "../lib/error-fields.js";
import { feedTarball } from "./feed-tarball.js";
import { inside, type Admission, type EntryPolicy } from "./tarball-entry-policy.js";
import { refuseEntry, TarballError } from "./tarball-error.js";

export interface ExtractedTarball {
  /** Regular files written. */
  files: number;
  /** Bytes of file contents written. */
  bytes: number;
}

/** Feeds the archive through node-tar's parser, writing admitted entries as they stream past. */
export async function unpackTarball(
  input: Readable | Buffer,
  root: string,
  policy: EntryPolicy,
  maxBytes: number,
): Promise<ExtractedTarball> {
  let failure: Error | undefined;
  let lastEntry: string | undefined;
  let files = 0;
  let bytes = 0;
  let work = Promise.resolve();
  const admissions = new WeakMap<ReadEntry, Admission>();
  const judged = new WeakSet<ReadEntry>();
  // Entries handed out and not yet written: after an abort no more data comes for them, so
  // they are ended to release the writes waiting on them. Not destroyed: minipass's iterator
  // waits forever on a stream destroyed before it asks for the next chunk.
  const inFlight = new Set<ReadEntry>();

  let wake = (): void => undefined;
  const finished = new Promise<void>((resolve) => (wake = resolve));

  // strict: every node-tar warning (bad checksum, truncation, not an archive) is an error.
  const parser = new Parser({
    strict: true,
    filter: (_path, entry) => {
      if (failure !== undefined || !(entry instanceof ReadEntry)) return false;
      judged.add(entry);
      lastEntry = entry.path;
      try {
        const admission = policy.admit(entry);
        if (admission.action === "skip") return false;
        admissions.set(entry, admission);
        return true;
      } catch (error) {
        fail(asError(error));
        return false;
      }
    },
  });

  function fail(error: Error): void {
    if (failure !== undefined) return;
    failure = error;
    // Stops the parser mid-chunk: nothing after the refused entry is read.
    parser.abort(new Error("extraction stopped"));
    for (const entry of inFlight) entry.end();
    wake();
  }

  parser.on("error", (error: Error) => {
    const where = lastEntry === undefined ? "" : ` after entry ${lastEntry}`;
    fail(
      new TarballError("corrupt", `reading the tarball${where}: ${error.message}`, {
        entry: lastEntry,
        cause: error,
      }),
    );
  });
  parser.on("end", () => wake());
  // Entry types node-tar does not know (sparse files, ACLs, tape headers) are dropped without
  // reaching the filter; refuse them like any other entry a repository cannot hold.
  parser.on("ignoredEntry", (entry: ReadEntry) => {
    if (!judged.has(entry) && !entry.meta) {
      fail(refuseEntry("unsupported-entry", entry.path, `it is a ${entry.type} entry`));
    }
  });
  parser.on("entry", (entry: ReadEntry) => {
    inFlight.add(entry);
    // Entries arrive one at a time, but the previous one may still be closing its file.
    work = work
      .then(async () => {
        const admission = admissions.get(entry);
        if (failure !== undefined || admission === undefined || admission.action === "skip") {
          entry.resume();
          return;
        }
        if (admission.action === "directory") {
          await mkdir(inside(root, admission.rel), { recursive: true, mode: 0o755 });
          entry.resume();
          return;
        }
        const written = await writeFile(inside(root, admission.rel), entry, admission, (n) => {
          bytes += n;
          if (bytes > maxBytes) {
            throw refuseEntry(
              "too-large",
              entry.path,
              `the archive holds more than ${maxBytes} bytes`,
            );
          }
        });
        if (written !== entry.size) {
          throw refuseEntry(
            "corrupt",
            entry.path,
            `it declares ${entry.size} bytes but holds ${written}`,
          );
        }
        files += 1;
      })
      .catch((error: unknown) => {
        fail(asFailure(error, entry.path, root));
        entry.resume();
      })
      .finally(() => inFlight.delete(entry));
  });

  await feedTarball(input, parser, () => failure, fail, finished);
  await finished;
  await work;
  if (failure !== undefined) throw failure;
  return { files, bytes };
}

/**
 * Writes one entry's contents to a new file. O_EXCL: the path cannot exist yet (duplicates are
 * refused earlier); O_NOFOLLOW: and it is never a link, though none exist before the end.
 */
async function writeFile(
  file: string,
  entry: ReadEntry,
  admission: { executable: boolean },
  count: (bytes: number) => void,
): Promise<number> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  const flags =
    fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | (fsConstants.O_NOFOLLOW ?? 0);
  const handle = await open(file, flags, admission.executable ? 0o755 : 0o644);
  let written = 0;
  try {
    for await (const chunk of entry) {
      count(chunk.length);
      await writeAll(handle, chunk);
      written += chunk.length;
    }
  } finally {
    await handle.close();
  }
  return written;
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length;) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Archive problems pass through; anything else (disk full, permissions) says what it hit. */
function asFailure(error: unknown, entry: string, root: string): Error {
  if (error instanceof TarballError) return error;
  const code = codeOf(error);
  if (code === "EEXIST" || code === "ENOTDIR" || code === "EISDIR") {
    // A file where a directory must go, or the reverse: the entries contradict each other.
    return refuseEntry("corrupt", entry, `it collides with another entry (${String(code)})`, error);
  }
  return new Error(
    `writing tarball entry ${JSON.stringify(entry)} into ${root}: ${messageOf(error)}`,
    {
      cause: error,
    },
  );
}
