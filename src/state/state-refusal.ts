/**
 * Why a state request was turned down. A refusal is an answer, not a failure: the HTTP layer maps
 * each code to a status (state-routes.ts), the CLI prints the message.
 */
export type StateRefusalCode =
  | "too-large"
  | "not-json"
  | "not-state"
  | "bad-lock-info"
  | "locked"
  | "lock-mismatch"
  | "lock-not-held"
  | "lineage-changed"
  | "serial-went-backwards"
  | "serial-reused";

export interface StateRefusal {
  kind: "refused";
  code: StateRefusalCode;
  /** Says what was wrong, for the engine's log or the operator's terminal. */
  message: string;
  /** The current lock holder's LockInfo, for refusals caused by a lock. */
  holder?: Record<string, unknown>;
}

export function refuse(
  code: StateRefusalCode,
  message: string,
  holder?: Record<string, unknown>,
): StateRefusal {
  return holder ? { kind: "refused", code, message, holder } : { kind: "refused", code, message };
}
