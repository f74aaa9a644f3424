import type { ComponentSpec } from "../domain/component-spec.js";
import type { SandboxKind } from "../domain/sandbox-kind.js";
import type { SourceInspection } from "../runner/inspect-source.js";

/**
 * The ports through which services reach the world. Adapters live in store/, queue/, runner/ and
 * github/; main.ts wires them.
 */

export const QUEUE_NAMES = ["github-event", "github-push", "run-component", "report-run"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * An open database transaction: the store and the queue act inside it when handed one, so that
 * what they write commits together or not at all. Services only pass it along.
 */
export interface Transaction {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Runs `work` in one database transaction, committed when it resolves, rolled back when it throws. */
export type InTransaction = <T>(work: (transaction: Transaction) => Promise<T>) => Promise<T>;

export interface SendOptions {
  /** At most one queued job per key (deduplication of the same work). */
  singletonKey?: string;
  startAfterSeconds?: number;
}

/** A job queued with an id chosen by the caller, who records it elsewhere in the same transaction. */
export interface JobToQueue {
  name: QueueName;
  id: string;
  data: object;
  singletonKey?: string;
}

export interface Job<T> {
  id: string;
  data: T;
  retryCount: number;
}
export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface JobQueue {
  send(name: QueueName, data: object, options?: SendOptions): Promise<string | undefined>;
  work<T extends object>(
    name: QueueName,
    concurrency: number,
    handler: JobHandler<T>,
  ): Promise<void>;
  /** Withdraws a job that has not completed (a lost worker's), so it is never run again. */
  cancel(name: QueueName, jobId: string): Promise<void>;
  /** Stops taking jobs, waits for those in hand (up to the timeout), and closes. */
  stop(timeoutMs?: number): Promise<void>;
}

/** The queue as intake uses it: jobs written in the same transaction as the deliveries. */
export interface TransactionalQueue {
  /** Queues the jobs inside `transaction` (they exist once it commits); answers the ids queued. */
  sendAll(jobs: readonly JobToQueue[], transaction: Transaction): Promise<string[]>;
  /**
   * Jobs of these queues were committed: a worker of this process takes them now rather than at
   * its next poll (workers of other processes still find them by polling).
   */
  wake(names: readonly QueueName[]): void;
}

export interface IncomingDelivery {
  deliveryId: string;
  event: string;
  action: string | undefined;
  installationId: number | undefined;
  repositoryFullName: string | undefined;
  payload: unknown;
}

export type DeliveryOutcome = "processed" | "ignored" | "rejected" | "failed";

export interface DeliveryStore {
  /**
   * Records the deliveries, each with the id of the job that will handle it, inside `transaction`,
   * skipping those whose delivery id was recorded before (or earlier in the list). Answers the job
   * ids of the deliveries recorded now.
   */
  record(
    transaction: Transaction,
    deliveries: readonly (IncomingDelivery & { jobId: string })[],
  ): Promise<Set<string>>;
  attachJob(deliveryId: string, jobId: string): Promise<void>;
  load(deliveryId: string): Promise<IncomingDelivery | undefined>;
  finish(deliveryId: string, outcome: DeliveryOutcome, error?: string): Promise<void>;
  /** Deliveries recorded before `olderThan` whose job was never queued (the process died between). */
  unqueued(olderThan: Date): Promise<string[]>;
}

export interface RepositoryRef {
  id: number;
  fullName: string;
}

export interface InstallationStore {
  upsertInstallation(installation: { id: number; accountLogin: string }): Promise<void>;
  markInstallation(id: number, change: "deleted" | "suspended" | "unsuspended"): Promise<void>;
  addRepositories(installationId: number, repositories: RepositoryRef[]): Promise<void>;
  removeRepositories(installationId: number, repositoryIds: number[]): Promise<void>;
}

export type { ComponentPhase } from "../domain/component-phase.js";
import type { ComponentPhase } from "../domain/component-phase.js";
import type { RunKind } from "../domain/run-kind.js";
import type { ComponentChangeKind } from "../domain/affected-components.js";

/** Everything executing one component of one run needs to know about it. */
export interface RunComponentRecord {
  runComponentId: string;
  runId: string;
  componentId: string;
  phase: ComponentPhase;
  changeKind: ComponentChangeKind;
  spec: ComponentSpec;
  commitSha: string;
  runKind: RunKind;
  trigger: string;
  triggeredBy: string;
  /** The pre-plan scan's findings, for policies. */
  scanFindings: unknown[];
  installationId: number;
  repositoryId: number;
  repositoryFullName: string;
  planDigest: string | undefined;
  workspaceDigest: string | undefined;
  sealedWorkspace: Buffer | undefined;
}

export interface PlanRecord {
  planDigest: string;
  summary: unknown;
  planText: string;
  diagnostics: unknown[];
  policyFindings: { policy: string; level: "deny" | "warn"; message: string }[];
  sealedWorkspace: Buffer | undefined;
  workspaceDigest: string | undefined;
}

export interface RevisionRecord {
  runComponentId: string;
  planDigest: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  sealedOutputs: Buffer | undefined;
  stateVersionId: string | undefined;
  startedAt: Date;
}

export interface RunStore {
  loadRunComponent(runComponentId: string): Promise<RunComponentRecord | undefined>;
  /**
   * Moves the component to `to` if it is in one of `from` (a compare-and-swap), appending the
   * event; false when it was not.
   */
  transition(
    runComponentId: string,
    from: readonly ComponentPhase[],
    to: ComponentPhase,
    cause: string,
    actor: string,
    /** The job that must still hold the component's lease (a fenced transition). */
    holderJobId?: string,
  ): Promise<boolean>;
  /** `sandbox`: how the engine is confined in this phase, said on the run page. */
  startPhase(runComponentId: string, phase: ComponentPhase, sandbox?: SandboxKind): Promise<string>;
  appendLog(
    phaseId: string,
    lines: readonly { stream: "stdout" | "stderr"; line: string }[],
  ): Promise<void>;
  finishPhase(
    phaseId: string,
    outcome: { exitCode: number | undefined; error: string | undefined },
  ): Promise<void>;
  savePlan(runComponentId: string, plan: PlanRecord): Promise<void>;
  setFailureReason(runComponentId: string, reason: string): Promise<void>;
  setEngineVersion(runId: string, version: string): Promise<void>;
  /** The outputs of the component's deployed revision (sensitive ones sealed); undefined if never applied. */
  deployedOutputs(
    componentId: string,
  ): Promise<{ outputs: Record<string, unknown>; sealedOutputs: Buffer | undefined } | undefined>;
  /** Appends the revision and moves the component's deployed head to it, in one transaction. */
  recordRevision(revision: RevisionRecord): Promise<string>;
}

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

export interface SecretStore {
  /** Decrypted secrets of a stack that the phase may see, by variable name. */
  forPhase(
    repositoryId: number,
    stackName: string,
    phase: "plan" | "apply",
  ): Promise<Record<string, string>>;
}

/** Fetches a repository's source at one commit (GitHub's tarball). */
export type SourceArchiveFetcher = (input: {
  installationId: number;
  repositoryFullName: string;
  sha: string;
}) => Promise<Buffer>;

/** Reads a source archive's stacks without running anything: their paths, inputs and findings. */
export type SourceInspector = (
  archive: Buffer,
  stackDirs: readonly string[],
) => Promise<SourceInspection>;

/* Managed state (src/state): Bosun's own `http` state backend. */

/** What a state credential may do: `read` (GET only) or `write` (everything the engine does). */
export type StateAccess = "read" | "write";

/** The engine's lock on one component's state, as it holds it. */
export interface StateLockRecord {
  componentId: string;
  lockId: string;
  /** The engine's LockInfo as it sent it (capitalised Go field names). */
  info: Record<string, unknown>;
  /** The run whose credential took the lock; undefined when none is recorded. */
  runId: string | undefined;
  acquiredAt: Date;
}

/** One stored state version, without its body. */
export interface StateVersionHead {
  id: string;
  componentId: string;
  serial: number;
  lineage: string;
  /** `sha256:<hex>` of the state as the engine sent it. */
  digest: string;
  size: number;
  runId: string | undefined;
  createdAt: Date;
}

export interface NewStateVersion {
  serial: number;
  lineage: string;
  digest: string;
  size: number;
  runId: string | undefined;
  sealedBody: Buffer;
}

/** The reads and writes of one component's state inside one transaction (see StateStore.exclusive). */
export interface ComponentStateTransaction {
  lock(): Promise<StateLockRecord | undefined>;
  latest(): Promise<StateVersionHead | undefined>;
  appendVersion(version: NewStateVersion): Promise<StateVersionHead>;
  takeLock(lock: {
    lockId: string;
    info: Record<string, unknown>;
    runId: string | undefined;
  }): Promise<void>;
  dropLock(): Promise<void>;
}

export interface StateStore {
  /**
   * Runs `work` in one transaction holding the component's row lock, so that the writes, locks
   * and unlocks of one component take turns. Throws when the component does not exist.
   */
  exclusive<T>(
    componentId: string,
    work: (tx: ComponentStateTransaction) => Promise<T>,
  ): Promise<T>;
  latest(componentId: string): Promise<(StateVersionHead & { sealedBody: Buffer }) | undefined>;
  /** The latest version without its body. */
  latestHead(componentId: string): Promise<StateVersionHead | undefined>;
  /** Newest first. */
  versions(componentId: string): Promise<StateVersionHead[]>;
  /**
   * Deletes all but the newest `keep` versions (keep ≥ 1), sparing any a revision points at;
   * returns how many went.
   */
  pruneVersions(componentId: string, keep: number): Promise<number>;
  /** Deletes the locks taken by the run's credentials; returns what they were. */
  /** The locks the run's credentials hold: all of them, or only the given component's. */
  releaseLocksOfRun(runId: string, componentId?: string): Promise<StateLockRecord[]>;
}

export interface StateCredentialRecord {
  id: string;
  componentId: string;
  runId: string;
  access: StateAccess;
  /** `sha256:<hex>` of the password. */
  tokenHash: string;
  revokedAt: Date | undefined;
  expiresAt: Date;
  /** Past `expiresAt` by the database's clock, when it was read. */
  expired: boolean;
  /** Its component is in a terminal phase of its run: nothing legitimate uses it any more. */
  ended: boolean;
}

export interface StateCredentialStore {
  /** Stores a credential that expires `lifetimeMs` from now by the database's clock. */
  insert(credential: {
    componentId: string;
    runId: string;
    access: StateAccess;
    tokenHash: string;
    lifetimeMs: number;
  }): Promise<{ id: string; expiresAt: Date }>;
  find(id: string): Promise<StateCredentialRecord | undefined>;
  /** Revokes one credential; false when it was already revoked or does not exist. */
  revoke(id: string, at: Date): Promise<boolean>;
  /** Revokes every unrevoked credential of the run (or of one of its components); returns how many. */
  revokeOfRun(runId: string, at: Date, componentId?: string): Promise<number>;
}

/** A component named the way operators write it: `owner/repo:stack@env`. */
export interface ComponentAddress {
  repository: string;
  stack: string;
  environment: string;
}

export type ComponentLookup =
  | { found: true; componentId: string }
  | {
      found: false;
      missing: "repository" | "stack" | "environment" | "component";
      /** The names that do exist where the missing one was looked for (for the message). */
      known: string[];
    };

export interface ComponentDirectory {
  find(address: ComponentAddress): Promise<ComponentLookup>;
}

/** A basic-auth credential for the engine's `http` backend (TF_HTTP_USERNAME / TF_HTTP_PASSWORD). */
export interface StateCredential {
  username: string;
  /** Secret: pass it to the engine only, and add it to the run's redaction list. */
  password: string;
  access: StateAccess;
}

/** What runs and crash recovery need from managed state (built by src/state/create-managed-state.ts). */
export interface ManagedState {
  /** A credential for one run's engine on one component; `access` defaults to `write`. */
  issueStateCredential(input: {
    componentId: string;
    runId: string;
    access?: StateAccess;
  }): Promise<StateCredential>;
  /** Revokes one credential (its username) at the end of the phase it was issued for. */
  revokeStateCredential(username: string): Promise<void>;
  /**
   * Revokes all of the run's credentials (the run ended), or those of one of its components (its
   * worker was lost); returns how many were live.
   */
  revokeStateCredentials(runId: string, componentId?: string): Promise<number>;
  /** Releases the state locks a dead run still holds; returns them. */
  /** The locks the run's credentials hold: all of them, or only the given component's. */
  releaseLocksOfRun(runId: string, componentId?: string): Promise<StateLockRecord[]>;
  /**
   * The component's latest state version (no body): what a revision records as the state its
   * apply produced (check `runId` to tell whether this run wrote it).
   */
  latestStateVersion(componentId: string): Promise<StateVersionHead | undefined>;
  /** Keeps the newest `keep` (≥ 1) versions and any a revision points at; returns how many went. */
  pruneStateVersions(componentId: string, keep: number): Promise<number>;
}
