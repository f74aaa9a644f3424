import type { SealKeys } from "../lib/seal.js";
import type { Logger } from "pino";
import type { StateCredentialStore, StateStore } from "../services/state-port.js";

/** What the managed-state functions work with; main.ts builds it once. */
export interface ManagedStateDeps {
  store: StateStore;
  credentials: StateCredentialStore;
  /** BOSUN_ENCRYPTION_KEYS: states are sealed under the newest at rest, and open under any. */
  key: SealKeys;
  log: Logger;
  /** The largest state accepted, in bytes; MAX_STATE_BYTES when unset. */
  maxStateBytes?: number;
  /**
   * How long an issued credential lives (src/domain/state-credential-lifetime.ts);
   * that of the default run timeout when unset.
   */
  credentialLifetimeMs?: number;
  now?: () => Date;
}
