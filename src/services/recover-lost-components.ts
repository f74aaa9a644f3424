import type { Logger } from "pino";
import { APPLY_INTERRUPTED, enqueueRunComponent } from "./execute-run-component.js";
import type { JobQueue } from "./queue-port.js";
import type { LeaseStore, LostComponent } from "./lease-port.js";

/** A plan whose worker is lost this many times fails instead of being tried again. */
export const MAX_PLAN_ATTEMPTS = 3;

export interface RecoveryDeps {
  leases: LeaseStore;
  queue: JobQueue;
  leaseMs: number;
  /** Releases the state lock a lost apply of this component still holds (managed state). */
  releaseStateLock?: (runId: string, componentId: string) => Promise<unknown>;
  /** Revokes the state credentials the lost worker was given for this component (managed state). */
  revokeStateCredentials?: (runId: string, componentId: string) => Promise<unknown>;
  /** Moves the run on (dependents BLOCKED, reports) once a component was taken back. */
  afterRecovery: (runComponentId: string) => Promise<void>;
  log: Logger;
}

/**
 * Takes back every component whose worker went silent for longer than the lease (docs/design.md
 * invariant 2): a lost plan is queued again (up to MAX_PLAN_ATTEMPTS), a lost apply is FAILED and
 * never re-run. The lost worker's job is cancelled so it cannot come back. Every worker runs this
 * periodically; the database decides which one takes each component, so it happens once.
 */
export async function recoverLostComponents(deps: RecoveryDeps): Promise<LostComponent[]> {
  const recovered: LostComponent[] = [];
  for (const lost of await deps.leases.findLost(deps.leaseMs)) {
    const outcome = decide(lost);
    if (!(await deps.leases.release(lost, deps.leaseMs, outcome))) continue;
    deps.log.warn(
      {
        runId: lost.runId,
        runComponentId: lost.runComponentId,
        phase: lost.phase,
        worker: lost.workerId,
        to: outcome.to,
      },
      "worker lost: component taken back",
    );
    if (lost.jobId) await deps.queue.cancel("run-component", lost.jobId);
    // Before a new plan is queued, which gets a credential of its own.
    await deps.revokeStateCredentials?.(lost.runId, lost.componentId);
    if (lost.phase === "APPLYING") await deps.releaseStateLock?.(lost.runId, lost.componentId);
    if (outcome.to === "QUEUED") {
      await enqueueRunComponent(
        deps.queue,
        { runComponentId: lost.runComponentId, action: "plan" },
        lost.componentId,
      );
    }
    await deps.afterRecovery(lost.runComponentId);
    recovered.push(lost);
  }
  return recovered;
}

function decide(lost: LostComponent): { to: "QUEUED" | "FAILED"; cause: string } {
  if (lost.phase === "APPLYING") return { to: "FAILED", cause: APPLY_INTERRUPTED };
  if (lost.planAttempts >= MAX_PLAN_ATTEMPTS) {
    return {
      to: "FAILED",
      cause: `plan interrupted: its worker was lost ${lost.planAttempts} times; run /plan to try again`,
    };
  }
  return { to: "QUEUED", cause: "plan interrupted: its worker was lost; planning again" };
}

/** Runs recovery now and then every half lease until stopped. */
export function startRecoveryLoop(deps: RecoveryDeps): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const tick = () => {
    if (running) return;
    running = recoverLostComponents(deps)
      .catch((error: unknown) =>
        deps.log.warn({ err: error }, "recovery of lost components failed; trying again"),
      )
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, Math.max(250, Math.floor(deps.leaseMs / 2)));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
