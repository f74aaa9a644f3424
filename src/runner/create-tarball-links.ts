import { mkdir, symlink } from "node:fs/promises";
import path from "node:path";
import { codeOf, messageOf } from "../lib/error-fields.js";
import { inside, isAbsoluteEntryPath, type LinkEntry } from "./tarball-entry-policy.js";
import { refuseEntry } from "./tarball-error.js";

/** Linux gives up after 40 links in one lookup (MAXSYMLINKS); so does this check. */
const MAX_LINK_HOPS = 40;

/**
 * The second judgement of links, with all of them known: each must resolve inside the
 * destination when every other link is followed the way the kernel will follow it, and none may
 * sit under another (creating it would write through that one).
 */
export async function createTarballLinks(
  root: string,
  links: Map<string, LinkEntry>,
): Promise<void> {
  const ordered = [...links].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [rel, link] of ordered) {
    for (
      let parent = path.posix.dirname(rel);
      parent !== ".";
      parent = path.posix.dirname(parent)
    ) {
      if (links.has(parent)) {
        throw refuseEntry("link-escape", link.entry, `it lies under the symbolic link ${parent}`);
      }
    }
    if (!resolvesInside(rel, links)) {
      throw refuseEntry(
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
        throw refuseEntry(
          "corrupt",
          link.entry,
          "it collides with another entry of the archive",
          error,
        );
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
    if (hops > MAX_LINK_HOPS || isAbsoluteEntryPath(link.target)) return false;
    pending.unshift(...link.target.split("/"));
  }
  return true;
}
