import { createHash } from "node:crypto";
import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import { handOver, type Sandbox } from "./sandbox.js";

/**
 * Uids (and gids) handed to engine commands: above the ranges distributions give users and
 * subordinate ids usually start at 100000 for 65536 each, so 200000–299999 belongs to no account.
 */
export const UID_RANGE = { first: 200_000, size: 100_000 } as const;

/** The unprivileged account one workspace's commands run as: the same for every command in it. */
export function uidFor(workspace: string): { uid: number; gid: number } {
  const hash = createHash("sha256").update(path.resolve(workspace)).digest();
  const id = UID_RANGE.first + (hash.readUInt32BE(0) % UID_RANGE.size);
  return { uid: id, gid: id };
}

/**
 * The isolation where bubblewrap cannot run (a container's default seccomp/AppArmor profile) and
 * Bosun is root: each workspace's commands run as a uid of their own that owns nothing else. The
 * kernel's ptrace access check then keeps /proc/<pid>/environ of Bosun and of other runs from
 * them; file modes keep the data directory (0711, its secrets 0600/0700) and other workspaces
 * (0700, under a 0711 root) from them. Nothing is hidden beyond what permissions hide.
 */
export function createUidIsolation(): Sandbox {
  return {
    kind: "uid",
    async wrap(file, args, place) {
      const account = uidFor(place.workspace);
      // The shared /tmp would let runs meet; a temporary directory in the workspace does not.
      const tmp = path.join(place.workspace, ".tmp");
      await mkdir(tmp, { recursive: true });
      await handOver(place.workspace, account);
      await chmod(place.workspace, 0o700);
      return { file, args: [...args], runAs: account, env: { TMPDIR: tmp } };
    },
  };
}
