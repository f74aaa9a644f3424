import type {
  DeployedComponent,
  DriftCandidate,
  DriftSettings,
  DriftState,
  DriftStore,
} from "../../../src/services/drift-port.js";

/** One environment as the fake keeps it: a candidate's fields and its drift state. */
export type FakeDriftEnvironment = DriftCandidate &
  Omit<DriftState, "environmentId"> & {
    deployed: DeployedComponent[];
    /** A drift check still runs or something applies: claims are refused. */
    busy: boolean;
  };

/**
 * Environments a test declares (their schedules, deployed components, drift state); runs belong
 * to the environment the test says (`runEnvironment`). Claims are the compare-and-set the
 * database makes, without the database's view of what is busy, which the test sets.
 */
export class InMemoryDriftStore implements DriftStore {
  readonly environments = new Map<string, FakeDriftEnvironment>();
  /** Run id → environment id. */
  readonly runEnvironment = new Map<string, string>();
  readonly recordedSettings: { repositoryId: number; settings: DriftSettings[] }[] = [];

  add(environment: Partial<FakeDriftEnvironment> & { environmentId: string }): this {
    this.environments.set(environment.environmentId, {
      environment: "prod",
      production: false,
      repositoryId: 1,
      repositoryFullName: "octo/infra",
      installationId: 1,
      defaultBranch: "main",
      schedule: undefined,
      nextAt: undefined,
      drifted: undefined,
      runId: undefined,
      checkedAt: undefined,
      issueNumber: undefined,
      reconcile: false,
      deployed: [],
      busy: false,
      ...environment,
    });
    return this;
  }

  private stateOf(environment: FakeDriftEnvironment): DriftState {
    return {
      environmentId: environment.environmentId,
      drifted: environment.drifted,
      runId: environment.runId,
      checkedAt: environment.checkedAt,
      issueNumber: environment.issueNumber,
      reconcile: environment.reconcile,
    };
  }

  async recordDriftSettings(repositoryId: number, settings: readonly DriftSettings[]) {
    this.recordedSettings.push({ repositoryId, settings: [...settings] });
  }

  async driftCandidates(withDefault: boolean): Promise<DriftCandidate[]> {
    return [...this.environments.values()]
      .filter((env) => env.deployed.length > 0 && (withDefault || env.schedule !== undefined))
      .map(
        ({
          drifted: _d,
          runId: _r,
          checkedAt: _c,
          issueNumber: _i,
          reconcile: _re,
          deployed: _de,
          busy: _b,
          ...candidate
        }) => candidate,
      );
  }

  async scheduleDriftCheck(environmentId: string, expected: Date | undefined, nextAt: Date) {
    const environment = this.environments.get(environmentId);
    if (environment?.nextAt?.getTime() !== expected?.getTime()) return false;
    environment!.nextAt = nextAt;
    return true;
  }

  async claimDriftCheck(environmentId: string, expected: Date, nextAt: Date) {
    const environment = this.environments.get(environmentId);
    if (!environment || environment.busy) return false;
    return this.scheduleDriftCheck(environmentId, expected, nextAt);
  }

  async deployedComponents(environmentId: string): Promise<DeployedComponent[]> {
    return this.environments.get(environmentId)?.deployed ?? [];
  }

  async recordDriftOutcome(runId: string, drifted: boolean | undefined, checkedAt: Date) {
    const environment = this.environments.get(this.runEnvironment.get(runId) ?? "");
    if (!environment) return undefined;
    environment.checkedAt = checkedAt;
    if (drifted === undefined || environment.runId === runId) return undefined;
    Object.assign(environment, { drifted, runId });
    return this.stateOf(environment);
  }

  async driftStateOfRun(runId: string): Promise<DriftState | undefined> {
    const environment = this.environments.get(this.runEnvironment.get(runId) ?? "");
    return environment && this.stateOf(environment);
  }

  async setDriftIssue(environmentId: string, issueNumber: number | undefined) {
    const environment = this.environments.get(environmentId);
    if (environment) environment.issueNumber = issueNumber;
  }
}
