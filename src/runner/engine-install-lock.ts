import lockfile from "proper-lockfile";
import type { Logger } from "pino";

/** How long a holder may go without touching its lock before others take it as abandoned. */
const STALE_MS = 30_000;

/**
 * Runs `work` holding the lock at `lockPath` (a directory proper-lockfile makes atomically, so
 * processes sharing BOSUN_ENGINE_DIR, on one machine or a shared volume, take turns); a second
 * caller waits up to `waitMs` for the first to finish. A holder that died leaves a lock nobody
 * refreshes: it is taken over after STALE_MS.
 */
export async function withInstallLock<T>(options: {
  lockPath: string;
  waitMs: number;
  log: Logger;
  work: () => Promise<T>;
}): Promise<T> {
  const intervalMs = 250;
  const release = await lockfile
    .lock(options.lockPath, {
      realpath: false,
      stale: STALE_MS,
      retries: {
        retries: Math.ceil(options.waitMs / intervalMs),
        factor: 1,
        minTimeout: intervalMs,
        maxTimeout: intervalMs,
      },
      // The default throws from a timer and ends the process; a lost lock only risks a second
      // download, which the rename into place settles.
      onCompromised: (error) => options.log.warn({ err: error }, "engine install lock lost"),
    })
    .catch((error: unknown) => {
      throw new Error(
        `waiting for the engine install lock ${options.lockPath}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    });
  try {
    return await options.work();
  } finally {
    await release().catch((error: unknown) =>
      options.log.warn({ err: error }, "releasing the engine install lock"),
    );
  }
}
