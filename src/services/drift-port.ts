import type { RevisionToReplay } from "./changeset-port.js";

/** One environment's `drift` settings as the tracked branch's `bosun.yml` declares them. */
export interface DriftSettings {
  environment: string;
  production: boolean;
  /** A cron expression, `off`, or undefined for the server's default. */
  schedule: string | undefined;
  reconcile: boolean;
}

/** An environment whose drift a tick may check, with what starting the check needs. */
export interface DriftCandidate {
  environmentId: string;
  environment: string;
  production: boolean;
  repositoryId: number;
  repositoryFullName: string;
  installationId: number;
  /** The repository's default branch, where the tracked config is found; undefined if never heard. */
  defaultBranch: string | undefined;
  /** The tracked branch's `drift.schedule`; undefined: the server's default applies. */
  schedule: string | undefined;
  /** When its next check is due; undefined until a tick first sees its schedule. */
  nextAt: Date | undefined;
}

/** A component deployed in an environment: the revision a drift check plans again. */
export interface DeployedComponent {
  componentId: string;
  stack: string;
  revision: RevisionToReplay;
  /** When the revision was applied: the newest one names the drift run's commit. */
  appliedAt: Date;
}

/** An environment's drift as last found, and the issue that tracks it. */
export interface DriftState {
  environmentId: string;
  /** Undefined before any check found an answer. */
  drifted: boolean | undefined;
  /** The check that found the current answer. */
  runId: string | undefined;
  /** When the environment was last checked. */
  checkedAt: Date | undefined;
  issueNumber: number | undefined;
  reconcile: boolean;
}

/** Drift schedules, checks and findings, per environment (docs/design.md "Runs without a pull request"). */
export interface DriftStore {
  /**
   * Records the tracked branch's `drift` settings of the repository's environments (creating
   * those it has not seen); environments the branch no longer names keep none.
   */
  recordDriftSettings(repositoryId: number, settings: readonly DriftSettings[]): Promise<void>;
  /**
   * Environments of installed repositories with something deployed whose drift may be checked:
   * those with a schedule of their own, and with `withDefault` (the server has a default
   * schedule) every other one too.
   */
  driftCandidates(withDefault: boolean): Promise<DriftCandidate[]>;
  /** Sets the time of the next check, if it is still `expected`; false when another tick moved it. */
  scheduleDriftCheck(
    environmentId: string,
    expected: Date | undefined,
    nextAt: Date,
  ): Promise<boolean>;
  /**
   * Claims a due check (compare-and-set): moves the next check's time from `expected` to
   * `nextAt`, only when no drift check of the environment is still running and nothing of it is
   * confirmed or applying. False when another tick claimed it first, or the environment is busy
   * (its time is then left as it was, so that the next tick tries again).
   */
  claimDriftCheck(environmentId: string, expected: Date, nextAt: Date): Promise<boolean>;
  /**
   * The environment's components whose deployed revision is not a destroy, with that revision
   * as a replay needs it, by stack name.
   */
  deployedComponents(environmentId: string): Promise<DeployedComponent[]>;
  /**
   * Records a drift check's finding, once: the first call for a run returns the environment's
   * drift state with it, later ones undefined. `drifted` undefined (an inconclusive check) keeps
   * the last answer and records only when the environment was checked (and returns undefined).
   */
  recordDriftOutcome(
    runId: string,
    drifted: boolean | undefined,
    checkedAt: Date,
  ): Promise<DriftState | undefined>;
  /** The drift state of the run's environment. */
  driftStateOfRun(runId: string): Promise<DriftState | undefined>;
  /** The issue that tracks the environment's drift; undefined once it is closed. */
  setDriftIssue(environmentId: string, issueNumber: number | undefined): Promise<void>;
}
