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
