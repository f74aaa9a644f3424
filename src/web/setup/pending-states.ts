import { randomBytes } from "node:crypto";

/** GitHub's manifest code works for an hour; a state outliving it is of no use. */
export const STATE_LIFETIME_MS = 3_600_000;
/** Enough for everyone setting up one Bosun at once; beyond it the oldest is forgotten. */
const MAX_PENDING = 32;

/**
 * The manifest flow's `state` values handed out and not yet used: each random, good for one
 * callback within the hour. Held by the process that made them, so a restart between the form
 * and GitHub's redirect means starting again (the setup page says so).
 */
export function createPendingStates(now: () => number = Date.now) {
  const pending = new Map<string, number>();
  return {
    issue(): string {
      const state = randomBytes(24).toString("base64url");
      for (const [old, expiresAt] of pending) {
        if (expiresAt <= now() || pending.size >= MAX_PENDING) pending.delete(old);
      }
      pending.set(state, now() + STATE_LIFETIME_MS);
      return state;
    },
    /** True once for a state this process issued within the hour; it is forgotten either way. */
    consume(state: string): boolean {
      const expiresAt = pending.get(state);
      pending.delete(state);
      return expiresAt !== undefined && expiresAt > now();
    },
  };
}
export type PendingStates = ReturnType<typeof createPendingStates>;
