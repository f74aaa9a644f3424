import type { Permission } from "../services/github-port.js";

/**
 * Collaborator permissions, remembered briefly: a burst of commands from one user costs one
 * request, and a permission GitHub revokes stops counting within the TTL. Created per gateway and
 * passed in (no module state).
 */
export interface PermissionCache {
  get(repositoryFullName: string, user: string): Permission | undefined;
  set(repositoryFullName: string, user: string, permission: Permission): void;
}

export function createPermissionCache(options: {
  ttlMs: number;
  /** Milliseconds since the epoch; tests pass their own clock. */
  now?: () => number;
}): PermissionCache {
  const { ttlMs } = options;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new Error(
      `creating the permission cache: TTL must be a non-negative number, got ${ttlMs}`,
    );
  }
  const now = options.now ?? Date.now;
  const entries = new Map<string, { permission: Permission; expiresAt: number }>();
  // Owner, repository and user names are case-insensitive on GitHub.
  const keyOf = (fullName: string, user: string) => `${fullName}\n${user}`.toLowerCase();
  return {
    get(fullName, user) {
      const key = keyOf(fullName, user);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.permission;
    },
    set(fullName, user, permission) {
      const at = now();
      // Expired entries go on every write, so a long-lived process keeps only the last TTL's users.
      for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
      entries.set(keyOf(fullName, user), { permission, expiresAt: at + ttlMs });
    },
  };
}
