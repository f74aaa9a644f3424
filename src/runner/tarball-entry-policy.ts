import path from "node:path";
import type { ReadEntry } from "tar";
import { refuseEntry } from "./tarball-error.js";
import type { TarballLimits } from "./tarball-limits.js";

export type Admission =
  | { action: "skip" }
  | { action: "directory"; rel: string }
  | { action: "file"; rel: string; executable: boolean };

export interface LinkEntry {
  /** The entry's path in the archive, for messages. */
  entry: string;
  target: string;
}

export interface EntryPolicy {
  /** Judges one entry from its header, before any of its contents are read. */
  admit(entry: ReadEntry): Admission;
  /** Kept symbolic links by repo-relative path, created after everything else. */
  links: Map<string, LinkEntry>;
}

/**
 * The judge of a repository tarball's entries, one header at a time: every path must sit under
 * the one top-level folder, without `..` and not absolute; the limits count every entry, kept or
 * not; symbolic links are judged a first time here and kept for the end.
 */
export function createEntryPolicy(
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
    if (isAbsoluteEntryPath(raw)) {
      throw refuseEntry("absolute-path", raw, "its path is absolute");
    }
    // Backslashes count as separators here: harmless on POSIX, but a `..\` has no business in
    // a repository either.
    const segments = raw.split(/[\\/]/);
    if (segments.includes("..")) {
      throw refuseEntry("path-traversal", raw, "its path has a '..' segment");
    }
    const [top, ...rest] = segments.filter((segment) => segment !== "" && segment !== ".");
    if (top === undefined) {
      throw refuseEntry("corrupt", raw, "its path is empty");
    }
    prefix ??= top;
    if (top !== prefix) {
      throw refuseEntry("corrupt", raw, `it is not under the top-level folder ${prefix}/`);
    }
    const rel = rest.join("/");
    if (rel === "") {
      if (entry.type === "Directory") return { action: "skip" };
      throw refuseEntry("corrupt", raw, "it takes the place of the top-level folder");
    }

    entries += 1;
    if (entries > limits.maxFiles) {
      throw refuseEntry(
        "too-many-files",
        raw,
        `the archive has more than ${limits.maxFiles} entries`,
      );
    }
    if (seen.has(rel)) {
      throw refuseEntry("corrupt", raw, "the archive has it twice");
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
          throw refuseEntry(
            "too-large",
            raw,
            `the archive holds more than ${limits.maxBytes} bytes`,
          );
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
        if (isAbsoluteEntryPath(target) || target.split(/[\\/]/).includes("..")) {
          throw refuseEntry("link-escape", raw, `it is a hard link to ${target}`);
        }
        // Git cannot store hard links, so a repository tarball never has one.
        throw refuseEntry("unsupported-entry", raw, "it is a hard link");
      }
      default:
        throw refuseEntry("unsupported-entry", raw, `it is a ${entry.type} entry`);
    }
  };

  return { admit, links };
}

/** The first judgement of a link: lexically, from its own directory. */
function checkSymlinkTarget(raw: string, rel: string, target: string): void {
  if (target === "") {
    throw refuseEntry("corrupt", raw, "it is a symbolic link without a target");
  }
  if (isAbsoluteEntryPath(target)) {
    throw refuseEntry("link-escape", raw, `it is a symbolic link to the absolute path ${target}`);
  }
  if (target.includes("\\")) {
    // On POSIX a backslash is part of a name, elsewhere a separator; refusing is simpler than
    // proving both readings stay inside.
    throw refuseEntry("unsupported-entry", raw, `its link target ${target} contains a backslash`);
  }
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel), target));
  if (resolved === ".." || resolved.startsWith("../")) {
    throw refuseEntry(
      "link-escape",
      raw,
      `it is a symbolic link to ${target}, outside the destination`,
    );
  }
}

export function isAbsoluteEntryPath(entryPath: string): boolean {
  return entryPath.startsWith("/") || entryPath.startsWith("\\") || /^[A-Za-z]:/.test(entryPath);
}

/** The absolute path of a checked repo-relative path (no `..`, not absolute) under `root`. */
export function inside(root: string, rel: string): string {
  return path.join(root, ...rel.split("/"));
}
