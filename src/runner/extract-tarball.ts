import { constants as fsConstants } from "node:fs";
import { mkdir, open, readdir, rm, symlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { Parser, ReadEntry } from "tar";

/**
 * Unpacks a GitHub repository tarball (`GET /repos/{owner}/{repo}/tarball/{ref}`): a gzip tar
 * whose entries all sit under one `owner-repo-sha/` folder, preceded by a pax global header that
 * carries the commit id.
 *
 * The tarball is the pull request's content, so it is hostile input. node-tar parses it; every
 * entry is then judged here, and node-tar's own unpacker is not used, because with
 * `preservePaths: false` it quietly rewrites what it will not write (it strips a leading `/`,
 * skips a `..` entry with a warning) where Bosun must refuse the whole archive and say why.
 * Files and directories are written as they stream past; symbolic links are created only once
 * every entry has been seen, so that no entry is ever written through a link, and a link is
 * judged against all the others (a link that is harmless alone can escape through another one,
 * e.g. `a -> .` with `b -> a/../..`).
 */

export type TarballErrorCode =
  /** An entry path starts at the filesystem root (or a drive). */
  | "absolute-path"
  /** An entry path has a `..` segment. */
  | "path-traversal"
  /** A symbolic or hard link points outside the destination, or lies under another link. */
  | "link-escape"
  /** A hard link, device, FIFO or other entry type a repository never contains. */
  | "unsupported-entry"
  /** More entries than `limits.maxFiles`. */
  | "too-many-files"
  /** File contents beyond `limits.maxBytes`. */
  | "too-large"
  /** Not gzip, not tar, truncated, or entries that contradict each other. */
  | "corrupt";

export class TarballError extends Error {
  override readonly name = "TarballError";
  readonly code: TarballErrorCode;
  /** The entry's path as written in the archive, when the error is about one entry. */
  readonly entry: string | undefined;

  constructor(
    code: TarballErrorCode,
    message: string,
    options?: { entry?: string | undefined; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.entry = options?.entry;
  }
}

export interface TarballLimits {
  /** Most bytes of file contents the archive may hold, whether or not `keep` accepts them. */
  maxBytes: number;
  /** Most entries (files, directories, links) the archive may hold, kept or not. */
  maxFiles: number;
}

export interface ExtractedTarball {
  /** Regular files written. */
  files: number;
  /** Bytes of file contents written. */
  bytes: number;
}

/**
 * Extracts `input` into `destDir` with the top-level folder stripped, writing only the entries
 * whose repo-relative POSIX path `keep` accepts (all, without it; the parent directories of a
 * kept entry are created either way). Limits count every entry of the archive, kept or not: they
 * bound the work a hostile archive can cause, not only the disk it fills.
 *
 * `destDir` is created when missing and must be empty: anything already there (a link above
 * all) could redirect a write. Files are written with mode 0644 or, when the archive marks them
 * executable, 0755; owners, times and special bits in the archive are ignored.
 *
 * Throws {@link TarballError} for anything wrong with the archive; nothing is then left in
 * `destDir`, and nothing is ever written outside it. Failures of the input stream or of the disk
 * are thrown as they come, wrapped with what was being done.
 */
export async function extractTarball(
  input: Readable | Buffer,
  destDir: string,
  limits: TarballLimits,
  keep?: (relPath: string) => boolean,
): Promise<ExtractedTarball> {
  const root = path.resolve(destDir);
  // A stream that fails while the destination is prepared would otherwise emit an unhandled
  // 'error'; its iterator reports the error once reading starts.
  if (!Buffer.isBuffer(input)) input.on("error", () => undefined);
  await prepareDestination(root);
  try {
    const policy = createEntryPolicy(limits, keep);
    const result = await unpack(input, root, policy, limits.maxBytes);
    await createLinks(root, policy.links);
    return result;
  } catch (error) {
    if (!Buffer.isBuffer(input)) input.destroy();
    await emptyDirectory(root);
    throw error;
  }
}

/** Best effort: a half-extracted tree must not be mistaken for the repository. */
async function emptyDirectory(root: string): Promise<void> {
  const names = await readdir(root).catch(() => []);
  await Promise.all(
    names.map((name) =>
      rm(path.join(root, name), { recursive: true, force: true }).catch(() => undefined),
    ),
  );
}

async function prepareDestination(root: string): Promise<void> {
  try {
    await mkdir(root, { recursive: true });
    const existing = await readdir(root);
    if (existing.length > 0) {
      throw new Error(`it already holds ${existing.length} entries; extraction needs an empty one`);
    }
  } catch (error) {
    throw new Error(`preparing ${root} to extract a tarball into: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

type Admission =
  | { action: "skip" }
  | { action: "directory"; rel: string }
  | { action: "file"; rel: string; executable: boolean };

interface LinkEntry {
  /** The entry's path in the archive, for messages. */
  entry: string;
  target: string;
}

interface EntryPolicy {
  /** Judges one entry from its header, before any of its contents are read. */
  admit(entry: ReadEntry): Admission;
  /** Kept symbolic links by repo-relative path, created after everything else. */
  links: Map<string, LinkEntry>;
}

function createEntryPolicy(
  limits: TarballLimits,
  keep: ((relPath: string) => boolean) | undefined,
): EntryPolicy {
  let prefix: string | undefined;
  let entries = 0;
  let declaredBytes = 0;
  const seen = new Set<string>();
  const links = new Map<string, LinkEntry>();
  const kept = (rel: string) => keep === undefined || keep(rel);

  const admit = (entry: ReadEntry): Admission => {
    const raw = entry.path;
    if (isAbsolute(raw)) {
      throw refuse("absolute-path", raw, "its path is absolute");
    }
    // Backslashes count as separators here: harmless on POSIX, but a `..\` has no business in
    // a repository either.
    const segments = raw.split(/[\\/]/);
    if (segments.includes("..")) {
      throw refuse("path-traversal", raw, "its path has a '..' segment");
    }
    const [top, ...rest] = segments.filter((segment) => segment !== "" && segment !== ".");
    if (top === undefined) {
      throw refuse("corrupt", raw, "its path is empty");
    }
    prefix ??= top;
    if (top !== prefix) {
      throw refuse("corrupt", raw, `it is not under the top-level folder ${prefix}/`);
    }
    const rel = rest.join("/");
    if (rel === "") {
      if (entry.type === "Directory") return { action: "skip" };
      throw refuse("corrupt", raw, "it takes the place of the top-level folder");
    }

    entries += 1;
    if (entries > limits.maxFiles) {
      throw refuse("too-many-files", raw, `the archive has more than ${limits.maxFiles} entries`);
    }
    if (seen.has(rel)) {
      throw refuse("corrupt", raw, "the archive has it twice");
    }
    seen.add(rel);

    switch (entry.type) {
      case "File":
      case "OldFile":
      case "ContiguousFile": {
        // The declared size bounds what tar will hand over for the entry, so the limit is
        // enforced before any of it is read; the bytes written are counted again as they come.
        declaredBytes += entry.size;
        if (declaredBytes > limits.maxBytes) {
          throw refuse("too-large", raw, `the archive holds more than ${limits.maxBytes} bytes`);
        }
        if (!kept(rel)) return { action: "skip" };
        return { action: "file", rel, executable: ((entry.mode ?? 0) & 0o111) !== 0 };
      }
      case "Directory":
        return kept(rel) ? { action: "directory", rel } : { action: "skip" };
      case "SymbolicLink": {
        const target = entry.linkpath ?? "";
        checkSymlinkTarget(raw, rel, target);
        if (kept(rel)) links.set(rel, { entry: raw, target });
        return { action: "skip" };
      }
      case "Link": {
        const target = entry.linkpath ?? "";
        if (isAbsolute(target) || target.split(/[\\/]/).includes("..")) {
          throw refuse("link-escape", raw, `it is a hard link to ${target}`);
        }
        // Git cannot store hard links, so a repository tarball never has one.
        throw refuse("unsupported-entry", raw, "it is a hard link");
      }
      default:
        throw refuse("unsupported-entry", raw, `it is a ${entry.type} entry`);
    }
  };

  return { admit, links };
}

/** The first judgement of a link: lexically, from its own directory. */
function checkSymlinkTarget(raw: string, rel: string, target: string): void {
  if (target === "") {
    throw refuse("corrupt", raw, "it is a symbolic link without a target");
  }
  if (isAbsolute(target)) {
    throw refuse("link-escape", raw, `it is a symbolic link to the absolute path ${target}`);
  }
  if (target.includes("\\")) {
    // On POSIX a backslash is part of a name, elsewhere a separator; refusing is simpler than
    // proving both readings stay inside.
    throw refuse("unsupported-entry", raw, `its link target ${target} contains a backslash`);
  }
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel), target));
  if (resolved === ".." || resolved.startsWith("../")) {
    throw refuse("link-escape", raw, `it is a symbolic link to ${target}, outside the destination`);
  }
}

/** Feeds the archive through node-tar's parser, writing admitted entries as they stream past. */
async function unpack(
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
      fail(refuse("unsupported-entry", entry.path, `it is a ${entry.type} entry`));
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
            throw refuse("too-large", entry.path, `the archive holds more than ${maxBytes} bytes`);
          }
        });
        if (written !== entry.size) {
          throw refuse(
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

  await feed(input, parser, () => failure, fail, finished);
  await finished;
  await work;
  if (failure !== undefined) throw failure;
  return { files, bytes };
}

const GZIP_MAGIC = [0x1f, 0x8b];
const BUFFER_CHUNK = 64 * 1024;

/**
 * Writes the input into the parser, pausing when it asks to. A Buffer is fed in slices: given
 * all at once, node-tar would decompress and queue the whole archive before the first entry is
 * judged against the limits.
 */
async function feed(
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

/** Linux gives up after 40 links in one lookup (MAXSYMLINKS); so does this check. */
const MAX_LINK_HOPS = 40;

/**
 * The second judgement of links, with all of them known: each must resolve inside the
 * destination when every other link is followed the way the kernel will follow it, and none may
 * sit under another (creating it would write through that one).
 */
async function createLinks(root: string, links: Map<string, LinkEntry>): Promise<void> {
  const ordered = [...links].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [rel, link] of ordered) {
    for (
      let parent = path.posix.dirname(rel);
      parent !== ".";
      parent = path.posix.dirname(parent)
    ) {
      if (links.has(parent)) {
        throw refuse("link-escape", link.entry, `it lies under the symbolic link ${parent}`);
      }
    }
    if (!resolvesInside(rel, links)) {
      throw refuse(
        "link-escape",
        link.entry,
        `it is a symbolic link to ${link.target}, which leads outside the destination or loops through other links`,
      );
    }
  }
  for (const [rel, link] of ordered) {
    const file = inside(root, rel);
    try {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
      await symlink(link.target, file);
    } catch (error) {
      if (codeOf(error) === "EEXIST") {
        throw refuse("corrupt", link.entry, "it collides with another entry of the archive", error);
      }
      throw new Error(`creating symbolic link ${link.entry} in ${root}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
}

/**
 * Resolves `rel` component by component the way path lookup does, following the archive's links
 * (the only links in the destination, which started empty), and answers whether it stays within
 * the destination all the way. Going above the root even to come back down is refused.
 */
function resolvesInside(rel: string, links: Map<string, LinkEntry>): boolean {
  const resolved: string[] = [];
  const pending = rel.split("/");
  let hops = 0;
  for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (resolved.pop() === undefined) return false;
      continue;
    }
    const link = links.get([...resolved, part].join("/"));
    if (link === undefined) {
      resolved.push(part);
      continue;
    }
    hops += 1;
    if (hops > MAX_LINK_HOPS || isAbsolute(link.target)) return false;
    pending.unshift(...link.target.split("/"));
  }
  return true;
}

/** The absolute path of a checked repo-relative path (no `..`, not absolute) under `root`. */
function inside(root: string, rel: string): string {
  return path.join(root, ...rel.split("/"));
}

function isAbsolute(entryPath: string): boolean {
  return entryPath.startsWith("/") || entryPath.startsWith("\\") || /^[A-Za-z]:/.test(entryPath);
}

function refuse(code: TarballErrorCode, entry: string, why: string, cause?: unknown): TarballError {
  return new TarballError(code, `refusing tarball entry ${JSON.stringify(entry)}: ${why}`, {
    entry,
    cause,
  });
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
    return refuse("corrupt", entry, `it collides with another entry (${String(code)})`, error);
  }
  return new Error(
    `writing tarball entry ${JSON.stringify(entry)} into ${root}: ${messageOf(error)}`,
    {
      cause: error,
    },
  );
}

function codeOf(error: unknown): unknown {
  return error instanceof Error && "code" in error ? error.code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
