import type { ComponentPhase } from "../domain/component-phase.js";

/** Who holds a component's lease: the worker process and the queue job it is executing. */
export interface LeaseHolder {
  workerId: string;
  jobId: string;
}

/** A component whose worker stopped showing signs of life while executing it. */
export interface LostComponent {
  runComponentId: string;
  runId: string;
  componentId: string;
  phase: ComponentPhase;
  /** Undefined for a phase started before leases existed: there is no job to cancel. */
  jobId: string | undefined;
  workerId: string;
  planAttempts: number;
}

/** Worker leases on run components (docs/design.md invariant 2: lost workers are noticed). */
export interface LeaseStore {
  /** Moves the component from `from` to `to` and gives `holder` its lease; false if not in `from`. */
  claim(
    runComponentId: string,
    move: { from: ComponentPhase; to: ComponentPhase; cause: string },
    holder: LeaseHolder,
  ): Promise<boolean>;
  /** Renews the lease; false when `jobId` no longer holds it (another worker took over). */
  heartbeat(runComponentId: string, jobId: string): Promise<boolean>;
  /** Components in a leased phase whose holder has been silent for longer than `leaseMs`. */
  findLost(leaseMs: number): Promise<LostComponent[]>;
  /** Takes a lost component back (if it is still lost), moving it to `to`; false if it was not. */
  release(
    lost: LostComponent,
    leaseMs: number,
    outcome: { to: ComponentPhase; cause: string },
  ): Promise<boolean>;
}
