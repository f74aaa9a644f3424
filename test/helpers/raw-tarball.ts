import { gzipSync } from "node:zlib";

/**
 * Tarballs no well-behaved tool writes, byte by byte: what a hostile repository archive can hold
 * (links out, `..`, absolute paths, devices, lying sizes, pax headers, a missing end). Shaped like
 * GitHub's: a pax global header with the commit, then everything under one `owner-repo-sha/`
 * folder.
 */

export const RAW_PREFIX = "acme-infra-0123abc";

export interface RawEntry {
  name: string;
  /** ustar typeflag: "0" file, "1" hard link, "2" symlink, "3" char device, "5" dir, "6" FIFO… */
  type?: string;
  body?: Buffer | string;
  /** Size to declare; defaults to the body's length. */
  size?: number;
  linkname?: string;
  mode?: number;
}

function field(header: Buffer, offset: number, length: number, value: string): void {
  header.write(value, offset, length, "utf8");
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

/** One ustar header block for `entry`, declaring `size` bytes. */
export function ustarHeader(entry: RawEntry, size: number): Buffer {
  const header = Buffer.alloc(512);
  field(header, 0, 100, entry.name);
  field(header, 100, 8, octal(entry.mode ?? 0o644, 8));
  field(header, 108, 8, octal(0, 8));
  field(header, 116, 8, octal(0, 8));
  field(header, 124, 12, octal(size, 12));
  field(header, 136, 12, octal(1_700_000_000, 12));
  field(header, 156, 1, entry.type ?? "0");
  field(header, 157, 100, entry.linkname ?? "");
  field(header, 257, 6, "ustar\0");
  field(header, 263, 2, "00");
  // The checksum is computed with its own field read as eight spaces.
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(header, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return header;
}

/** An uncompressed tar of exactly these entries; without `end`, cut off before its end blocks. */
export function rawTar(entries: readonly RawEntry[], { end = true } = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? "");
    blocks.push(ustarHeader(entry, entry.size ?? body.length));
    if (body.length > 0) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  if (end) blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A pax record: "<length> key=value\n", the length counting itself. */
export function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  let length = rest.length + 1;
  while (`${length}${rest}`.length !== length) length += 1;
  return `${length}${rest}`;
}

/** The files of a working repository plus the hostile entries, all under the top folder. */
export function hostileTarball(
  files: Record<string, string>,
  hostile: readonly RawEntry[],
  options: { prefixHostile?: boolean } = {},
): Buffer {
  return gzipSync(rawTarEntries(files, hostile, options.prefixHostile ?? true));
}

/** The same, uncompressed. */
export function rawTarEntries(
  files: Record<string, string>,
  hostile: readonly RawEntry[],
  prefixHostile = true,
): Buffer {
  const directories = new Set<string>();
  for (const name of Object.keys(files)) {
    const parts = name.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) directories.add(parts.slice(0, i).join("/"));
  }
  return rawTar([
    { name: "pax_global_header", type: "g", body: paxRecord("comment", "0123abc".repeat(5)) },
    { name: `${RAW_PREFIX}/`, type: "5", mode: 0o755 },
    ...[...directories]
      .sort()
      .map((dir) => ({ name: `${RAW_PREFIX}/${dir}/`, type: "5", mode: 0o755 })),
    ...Object.entries(files).map(([name, body]) => ({ name: `${RAW_PREFIX}/${name}`, body })),
    ...hostile.map((entry) =>
      prefixHostile ? { ...entry, name: `${RAW_PREFIX}/${entry.name}` } : entry,
    ),
  ]);
}
