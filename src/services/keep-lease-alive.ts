import type { Logger } from "pino";
import type { LeaseStore } from "./lease-port.js";
import type { RunComponentRecord } from "./run-port.js";

/**
 * Renews the component's lease while the phase runs. When the lease turns out to be lost (a
 * recovery took the component back after this worker went silent), the engine is stopped: this
 * worker must not go on changing what another may now be running. A renewal that fails because
 * the database is unreachable is only logged; the lease then lapses on its own.
 */
export function keepLeaseAlive(
  deps: { leases: LeaseStore; leaseMs: number; jobId: string; signal?: AbortSignal },
  record: RunComponentRecord,
  log: Logger,
): { signal: AbortSignal; stop(): void } {
  const lost = new AbortController();
  const timer = setInterval(
    () => {
      deps.leases.heartbeat(record.runComponentId, deps.jobId).then(
        (held) => {
          if (held) return;
          log.warn("lease lost to recovery; stopping the engine");
          lost.abort(new Error("this worker lost its lease on the component"));
        },
        (error: unknown) => log.warn({ err: error }, "lease renewal failed"),
      );
    },
    Math.max(100, Math.floor(deps.leaseMs / 3)),
  );
  timer.unref();
  return {
    signal: deps.signal ? AbortSignal.any([deps.signal, lost.signal]) : lost.signal,
    stop: () => clearInterval(timer),
  };
}
