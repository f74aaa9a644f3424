import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import * as tar from "tar";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { extractTarball } from "../../../src/runner/extract-tarball.js";
import { TarballError, type TarballErrorCode } from "../../../src/runner/tarball-error.js";
import {
  hostileTarball,
  paxRecord,
  RAW_PREFIX,
  rawTar,
  ustarHeader,
} from "../../helpers/raw-tarball.js";

const limits = { maxBytes: 10 * 1024 * 1024, maxFiles: 1000 };

let base: string;
let dest: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "bosun-tarball-"));
  dest = path.join(base, "dest");
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

// --- assertions ---------------------------------------------------------------------------

async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    out.push(entry.isDirectory() ? `${rel}/` : rel);
    if (entry.isDirectory()) out.push(...(await listTree(path.join(dir, entry.name), `${rel}/`)));
  }
  return out.sort();
}

async function refusal(promise: Promise<unknown>): Promise<TarballError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TarballError);
    return error as TarballError;
  }
  throw new Error("expected a TarballError, extraction succeeded");
}

async function expectRefused(
  input: Buffer | Readable,
  code: TarballErrorCode,
  entry: string | undefined,
  options: { limits?: typeof limits } = {},
): Promise<TarballError> {
  const error = await refusal(extractTarball(input, dest, options.limits ?? limits));
  expect(error.code).toBe(code);
  if (entry !== undefined) {
    expect(error.entry).toBe(entry);
    expect(error.message).toContain(JSON.stringify(entry));
  }
  // Nothing outside the destination, and nothing left inside it.
  expect(await readdir(base)).toEqual(["dest"]);
  expect(await readdir(dest)).toEqual([]);
  return error;
}

// --- tests --------------------------------------------------------------------------------

describe("extractTarball: good archives", () => {
  it("extracts a GitHub-style tarball with the top-level folder stripped", async () => {
    const script = "#!/bin/sh\necho hi\n";
    const result = await extractTarball(
      hostileTarball({}, [
        { name: "README.md", body: "# repo\n" },
        { name: "infra/", type: "5", mode: 0o755 },
        { name: "infra/net/", type: "5", mode: 0o755 },
        { name: "infra/net/main.tf", body: 'resource "x" "y" {}\n' },
        { name: "infra/net/run.sh", body: script, mode: 0o4755 },
        { name: "infra/link.tf", type: "2", linkname: "net/main.tf" },
        { name: "infra/up", type: "2", linkname: ".." },
        { name: "empty.txt", body: "" },
      ]),
      dest,
      limits,
    );

    expect(result).toEqual({ files: 4, bytes: 7 + 20 + script.length });
    expect(await listTree(dest)).toEqual([
      "README.md",
      "empty.txt",
      "infra/",
      "infra/link.tf",
      "infra/net/",
      "infra/net/main.tf",
      "infra/net/run.sh",
      "infra/up",
    ]);
    expect(await readFile(path.join(dest, "infra/link.tf"), "utf8")).toBe('resource "x" "y" {}\n');
    expect(await readlink(path.join(dest, "infra/up"))).toBe("..");
    const run = await stat(path.join(dest, "infra/net/run.sh"));
    expect(run.mode & 0o111).not.toBe(0);
    expect(run.mode & 0o4000).toBe(0); // setuid is never applied
    expect((await stat(path.join(dest, "README.md"))).mode & 0o111).toBe(0);
  });

  it("extracts a tar.create archive streamed from disk, keeping only what `keep` accepts", async () => {
    const src = path.join(base, "src");
    const repo = path.join(src, RAW_PREFIX);
    await mkdir(path.join(repo, "infra/modules/x"), { recursive: true });
    await mkdir(path.join(repo, "docs"), { recursive: true });
    await writeFile(path.join(repo, "infra/main.tf"), "a");
    await writeFile(path.join(repo, "infra/modules/x/main.tf"), "bb");
    await writeFile(path.join(repo, "infra/notes.md"), "ccc");
    await writeFile(path.join(repo, "docs/index.md"), "dddd");
    await symlink("modules/x", path.join(repo, "infra/x"));
    await symlink("../docs", path.join(repo, "infra/docs"));
    const archive = path.join(base, "repo.tgz");
    await tar.create({ gzip: true, file: archive, cwd: src, portable: true }, [RAW_PREFIX]);
    await rm(src, { recursive: true });

    const seen: string[] = [];
    const result = await extractTarball(createReadStream(archive), dest, limits, (rel) => {
      seen.push(rel);
      return rel === "infra" || (rel.startsWith("infra/") && !rel.endsWith(".md"));
    });

    expect(result).toEqual({ files: 2, bytes: 3 });
    expect(await listTree(dest)).toEqual([
      "infra/",
      "infra/docs",
      "infra/main.tf",
      "infra/modules/",
      "infra/modules/x/",
      "infra/modules/x/main.tf",
      "infra/x",
    ]);
    expect((await lstat(path.join(dest, "infra/x"))).isSymbolicLink()).toBe(true);
    expect(seen).toContain("docs/index.md");
    expect(seen.every((rel) => !rel.startsWith(RAW_PREFIX))).toBe(true);
  });

  const hasGit = (() => {
    try {
      execFileSync("git", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

  // GitHub builds repository tarballs with `git archive`: a pax global header holding the
  // commit id, then everything under `<owner>-<repo>-<sha>/`.
  it.skipIf(!hasGit)("extracts what `git archive` writes, as GitHub serves it", async () => {
    const repo = path.join(base, "repo");
    await mkdir(path.join(repo, "infra/net"), { recursive: true });
    await writeFile(path.join(repo, "infra/net/main.tf"), 'resource "x" "y" {}\n');
    await writeFile(path.join(repo, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
    await symlink("net/main.tf", path.join(repo, "infra/link.tf"));
    const git = (...args: string[]) =>
      execFileSync(
        "git",
        ["-c", "user.email=a@b", "-c", "user.name=a", "-c", "commit.gpgsign=false", ...args],
        { cwd: repo },
      );
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "init");
    const archive = git("archive", "--format=tar.gz", `--prefix=${RAW_PREFIX}/`, "HEAD");

    expect(await extractTarball(archive, dest, limits)).toEqual({ files: 2, bytes: 30 });
    expect(await listTree(dest)).toEqual([
      "infra/",
      "infra/link.tf",
      "infra/net/",
      "infra/net/main.tf",
      "run.sh",
    ]);
    expect(await readlink(path.join(dest, "infra/link.tf"))).toBe("net/main.tf");
  });

  it("streams a larger archive through back-pressure intact", async () => {
    const contents = new Map<string, Buffer>();
    for (let i = 0; i < 60; i += 1) contents.set(`dir${i % 7}/file${i}.bin`, randomBytes(i * 3000));
    const archive = hostileTarball(
      {},
      [...contents].map(([name, body]) => ({ name, body })),
    );
    // Tiny chunks: many writes, many pauses.
    const chunks = [];
    for (let at = 0; at < archive.length; at += 1000) chunks.push(archive.subarray(at, at + 1000));

    const result = await extractTarball(Readable.from(chunks), dest, limits);

    expect(result.files).toBe(60);
    for (const [name, body] of contents) {
      const written = await readFile(path.join(dest, name));
      expect(createHash("sha256").update(written).digest("hex")).toBe(
        createHash("sha256").update(body).digest("hex"),
      );
    }
  });

  it("counts limits exactly: maxFiles entries and maxBytes bytes are allowed", async () => {
    const archive = hostileTarball({}, [
      { name: "a/", type: "5" },
      { name: "a/one", body: "12345" },
      { name: "two", body: "67890" },
    ]);
    expect(await extractTarball(archive, dest, { maxFiles: 3, maxBytes: 10 })).toEqual({
      files: 2,
      bytes: 10,
    });
  });

  it("creates the destination when it is missing", async () => {
    const deeper = path.join(dest, "a", "b");
    await extractTarball(hostileTarball({}, [{ name: "f", body: "x" }]), deeper, limits);
    expect(await readFile(path.join(deeper, "f"), "utf8")).toBe("x");
  });
});

describe("extractTarball: paths", () => {
  it.each([
    ["a top-level ..", "../escape"],
    ["a .. under the prefix", `${RAW_PREFIX}/../../escape`],
    ["a .. in the middle", `${RAW_PREFIX}/a/../../../escape`],
    ["a backslash ..", `${RAW_PREFIX}/..\\..\\escape`],
  ])("refuses %s", async (_case, name) => {
    const archive = gzipSync(
      rawTar([
        { name: `${RAW_PREFIX}/`, type: "5" },
        { name: `${RAW_PREFIX}/ok`, body: "fine" },
        { name, body: "pwned" },
      ]),
    );
    await expectRefused(archive, "path-traversal", name);
  });

  it("refuses absolute paths", async () => {
    const target = path.join(base, "abs-escape");
    await expectRefused(
      gzipSync(rawTar([{ name: target, body: "pwned" }])),
      "absolute-path",
      target,
    );
    await expectRefused(
      gzipSync(
        rawTar([
          { name: `${RAW_PREFIX}/`, type: "5" },
          { name: "/etc/passwd", body: "x" },
        ]),
      ),
      "absolute-path",
      "/etc/passwd",
    );
  });

  it("judges the path a pax header gives, not the ustar name", async () => {
    const archive = gzipSync(
      rawTar([
        { name: `${RAW_PREFIX}/`, type: "5" },
        { name: "PaxHeader/innocent", type: "x", body: paxRecord("path", "../../pax-escape") },
        { name: `${RAW_PREFIX}/innocent`, body: "pwned" },
      ]),
    );
    await expectRefused(archive, "path-traversal", "../../pax-escape");
  });

  it("refuses an entry outside the top-level folder", async () => {
    await expectRefused(
      gzipSync(
        rawTar([
          { name: `${RAW_PREFIX}/`, type: "5" },
          { name: "other/file", body: "x" },
        ]),
      ),
      "corrupt",
      "other/file",
    );
  });

  it("refuses an entry that appears twice", async () => {
    await expectRefused(
      hostileTarball({}, [
        { name: "f", body: "one" },
        { name: "f", body: "two" },
      ]),
      "corrupt",
      `${RAW_PREFIX}/f`,
    );
  });
});

describe("extractTarball: links and special entries", () => {
  it.each([
    ["a relative escape", "evil", "../../outside"],
    ["an escape from a subdirectory", "a/b/evil", "../../../outside"],
    ["an absolute target", "evil", "/etc/passwd"],
  ])("refuses a symbolic link with %s", async (_case, name, linkname) => {
    await expectRefused(
      hostileTarball({}, [{ name, type: "2", linkname }]),
      "link-escape",
      `${RAW_PREFIX}/${name}`,
    );
  });

  it("refuses a link that escapes only through another link", async () => {
    // `d/a -> ..` is the root; `b -> d/a/..` looks like `d` but is the root's parent.
    const archive = hostileTarball({}, [
      { name: "d/", type: "5" },
      { name: "d/a", type: "2", linkname: ".." },
      { name: "b", type: "2", linkname: "d/a/.." },
    ]);
    await expectRefused(archive, "link-escape", `${RAW_PREFIX}/b`);
  });

  it("refuses a link that is made harmful by a later link", async () => {
    const archive = hostileTarball({}, [
      { name: "b", type: "2", linkname: "d/a/../x" },
      { name: "d/", type: "5" },
      { name: "d/a", type: "2", linkname: ".." },
    ]);
    await expectRefused(archive, "link-escape", `${RAW_PREFIX}/b`);
  });

  it("refuses circular links", async () => {
    const archive = hostileTarball({}, [
      { name: "a", type: "2", linkname: "b" },
      { name: "b", type: "2", linkname: "a" },
    ]);
    await expectRefused(archive, "link-escape", `${RAW_PREFIX}/a`);
  });

  it("refuses a link under another link", async () => {
    const archive = hostileTarball({}, [
      { name: "real/", type: "5" },
      { name: "a", type: "2", linkname: "real" },
      { name: "a/b", type: "2", linkname: "x" },
    ]);
    await expectRefused(archive, "link-escape", `${RAW_PREFIX}/a/b`);
  });

  it("refuses a file where a link goes", async () => {
    const archive = hostileTarball({}, [
      { name: "real/", type: "5" },
      { name: "a", type: "2", linkname: "real" },
      { name: "a/file", body: "through the link?" },
    ]);
    await expectRefused(archive, "corrupt", `${RAW_PREFIX}/a`);
  });

  it("refuses a hard link to a file outside", async () => {
    await expectRefused(
      hostileTarball({}, [{ name: "passwd", type: "1", linkname: "/etc/passwd" }]),
      "link-escape",
      `${RAW_PREFIX}/passwd`,
    );
    await rm(dest, { recursive: true });
    await expectRefused(
      hostileTarball({}, [{ name: "passwd", type: "1", linkname: "../../etc/passwd" }]),
      "link-escape",
      `${RAW_PREFIX}/passwd`,
    );
  });

  it("refuses any hard link", async () => {
    await expectRefused(
      hostileTarball({}, [
        { name: "a", body: "x" },
        { name: "b", type: "1", linkname: `${RAW_PREFIX}/a` },
      ]),
      "unsupported-entry",
      `${RAW_PREFIX}/b`,
    );
  });

  it.each([
    ["a character device", "3"],
    ["a block device", "4"],
    ["a FIFO", "6"],
    ["a GNU dump directory", "D"],
    ["a sparse file (a type node-tar drops)", "S"],
    ["an unknown type", "Z"],
  ])("refuses %s", async (_case, type) => {
    await expectRefused(
      hostileTarball({}, [{ name: "special", type }]),
      "unsupported-entry",
      `${RAW_PREFIX}/special`,
    );
  });
});

describe("extractTarball: limits", () => {
  it("refuses more than maxFiles entries, naming the first one over", async () => {
    const archive = hostileTarball({}, [
      { name: "a", body: "1" },
      { name: "b/", type: "5" },
      { name: "b/c", body: "2" },
      { name: "d", body: "3" },
    ]);
    await expectRefused(archive, "too-many-files", `${RAW_PREFIX}/b/c`, {
      limits: { maxFiles: 2, maxBytes: 1000 },
    });
  });

  it("counts entries that `keep` rejects", async () => {
    const archive = hostileTarball({}, [
      { name: "a", body: "1" },
      { name: "b", body: "2" },
    ]);
    const error = await refusal(
      extractTarball(archive, dest, { maxFiles: 1, maxBytes: 100 }, () => false),
    );
    expect(error.code).toBe("too-many-files");
  });

  it("refuses a huge declared size before reading any of it", async () => {
    // 8 GiB declared, nothing behind it: a refusal from the header alone.
    const archive = gzipSync(
      rawTar(
        [
          { name: `${RAW_PREFIX}/`, type: "5" },
          { name: `${RAW_PREFIX}/huge`, size: 0o77777777777 },
        ],
        { end: false },
      ),
    );
    await expectRefused(archive, "too-large", `${RAW_PREFIX}/huge`);
  });

  it("refuses when the total crosses maxBytes, naming the entry that crossed", async () => {
    const archive = hostileTarball({}, [
      { name: "a", body: randomBytes(400) },
      { name: "b", body: randomBytes(400) },
      { name: "c", body: randomBytes(400) },
    ]);
    await expectRefused(archive, "too-large", `${RAW_PREFIX}/c`, {
      limits: { maxFiles: 100, maxBytes: 1000 },
    });
  });

  it("refuses a compression bomb without inflating it", async () => {
    // 64 MiB of zeros in a ~64 KiB gzip: the header's size is refused before the body is read.
    const bomb = gzipSync(
      Buffer.concat([
        ustarHeader({ name: `${RAW_PREFIX}/zeros` }, 64 * 1024 * 1024),
        Buffer.alloc(64 * 1024 * 1024),
      ]),
    );
    expect(bomb.length).toBeLessThan(100 * 1024);
    await expectRefused(bomb, "too-large", `${RAW_PREFIX}/zeros`, {
      limits: { maxFiles: 10, maxBytes: 1024 * 1024 },
    });
  });

  it("stops reading a stream once a limit is crossed", async () => {
    let pulled = 0;
    const archive = hostileTarball(
      {},
      Array.from({ length: 200 }, (_, i) => ({ name: `f${i}`, body: randomBytes(2048) })),
    );
    const stream = new Readable({
      read() {
        const chunk = archive.subarray(pulled, pulled + 4096);
        pulled += chunk.length;
        this.push(chunk.length > 0 ? chunk : null);
      },
    });
    await expectRefused(stream, "too-large", undefined, {
      limits: { maxFiles: 1000, maxBytes: 10_000 },
    });
    expect(pulled).toBeLessThan(archive.length / 4);
    expect(stream.destroyed).toBe(true);
  });
});

describe("extractTarball: corrupt input", () => {
  it.each([
    ["an empty buffer", () => Buffer.alloc(0)],
    ["one byte", () => Buffer.from([0x1f])],
    ["an uncompressed tar", () => rawTar([{ name: `${RAW_PREFIX}/`, type: "5" }])],
    ["random bytes", () => randomBytes(4096)],
    ["gzip of random bytes", () => gzipSync(randomBytes(4096))],
    ["gzip of nothing", () => gzipSync(Buffer.alloc(0))],
    [
      "a truncated gzip stream",
      () => hostileTarball({}, [{ name: "f", body: randomBytes(5000) }]).subarray(0, 2000),
    ],
    [
      "a gzip stream with a flipped byte",
      () => {
        const archive = hostileTarball({}, [{ name: "f", body: "x".repeat(5000) }]);
        archive[archive.length - 12] = (archive[archive.length - 12] ?? 0) ^ 0xff;
        return archive;
      },
    ],
    [
      "a truncated entry",
      () =>
        gzipSync(rawTar([{ name: `${RAW_PREFIX}/f`, size: 5000, body: "short" }], { end: false })),
    ],
  ])("refuses %s as corrupt", async (_case, make) => {
    await expectRefused(make(), "corrupt", undefined);
  });

  it("refuses a header with a bad checksum", async () => {
    const tarball = rawTar([
      { name: `${RAW_PREFIX}/`, type: "5" },
      { name: `${RAW_PREFIX}/f`, body: "x" },
    ]);
    tarball[512] = "g".charCodeAt(0); // second header's name changes; its checksum no longer fits
    const error = await expectRefused(gzipSync(tarball), "corrupt", undefined);
    expect(error.message).toMatch(/checksum/);
  });
});

describe("extractTarball: the destination and the input", () => {
  it("refuses a destination that is not empty, and leaves it alone", async () => {
    await mkdir(dest);
    await writeFile(path.join(dest, "keep-me"), "x");
    await expect(extractTarball(hostileTarball({}, []), dest, limits)).rejects.toThrow(
      /not empty|already holds/,
    );
    expect(await readdir(dest)).toEqual(["keep-me"]);
  });

  it.each([
    ["before it is read", 0],
    ["midway", 3],
  ])("reports an input stream failing %s as such, not as a bad archive", async (_case, good) => {
    const archive = hostileTarball({}, [{ name: "f", body: randomBytes(100_000) }]);
    let reads = 0;
    const stream = new Readable({
      highWaterMark: 1024,
      read() {
        if (reads === good) {
          this.destroy(new Error("connection reset"));
          return;
        }
        this.push(archive.subarray(reads * 1024, (reads + 1) * 1024));
        reads += 1;
      },
    });
    const error = await extractTarball(stream, dest, limits).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TarballError);
    expect((error as Error).message).toMatch(/reading the tarball stream: connection reset/);
    expect(await readdir(dest)).toEqual([]);
  });
});
