import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import yauzl, { type Entry, type ZipFile } from "yauzl";

/** The largest engine executable taken from an archive: today's are about 100 MB. */
export const MAX_EXECUTABLE_BYTES = 512 * 1024 * 1024;
/** A release archive holds the executable and a few text files; more entries means a hostile one. */
const MAX_ENTRIES = 1000;

/** An archive Bosun will not install from: its name and why. */
export class ReleaseArchiveError extends Error {
  override readonly name = "ReleaseArchiveError";
}

function openZip(file: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    // yauzl refuses absolute and `..` entry names itself, and checks each entry's real size
    // against the size its header declares.
    yauzl.open(
      file,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true },
      (error, zip) => (error ? reject(error) : resolve(zip)),
    );
  });
}

function findEntry(zip: ZipFile, name: string): Promise<Entry> {
  return new Promise((resolve, reject) => {
    let found: Entry | undefined;
    let seen = 0;
    zip.on("entry", (entry: Entry) => {
      seen += 1;
      if (seen > MAX_ENTRIES) return reject(new Error(`more than ${MAX_ENTRIES} entries`));
      if (entry.fileName === name) {
        if (found) return reject(new Error(`it holds ${name} twice`));
        found = entry;
      }
      zip.readEntry();
    });
    zip.on("end", () => (found ? resolve(found) : reject(new Error(`it holds no ${name}`))));
    zip.on("error", reject);
    zip.readEntry();
  });
}

function checkEntry(entry: Entry): void {
  const type = (entry.externalFileAttributes >>> 16) & 0o170000;
  // 0 is an archiver that records no Unix mode (a plain file); anything else must say "file".
  if (type !== 0 && type !== 0o100000) throw new Error(`${entry.fileName} is not a regular file`);
  if (entry.uncompressedSize > MAX_EXECUTABLE_BYTES) {
    throw new Error(
      `${entry.fileName} is ${entry.uncompressedSize} bytes, over the ${MAX_EXECUTABLE_BYTES} allowed`,
    );
  }
}

/**
 * Writes the archive's top-level `name` (the engine) to `target`, executable, and nothing else:
 * release archives also hold licences and changelogs, which an install does not need.
 */
export async function extractEngineExecutable(options: {
  archive: string;
  archiveName: string;
  name: string;
  target: string;
}): Promise<void> {
  let zip: ZipFile | undefined;
  try {
    zip = await openZip(options.archive);
    const entry = await findEntry(zip, options.name);
    checkEntry(entry);
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
      zip!.openReadStream(entry, (error, read) => (error ? reject(error) : resolve(read))),
    );
    await pipeline(stream, createWriteStream(options.target, { flags: "wx", mode: 0o755 }));
  } catch (error) {
    throw new ReleaseArchiveError(`refusing ${options.archiveName}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    zip?.close();
  }
}
