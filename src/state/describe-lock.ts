import type { StateLockRecord } from "../services/state-port.js";

/** "lock 3f… (tofu apply by alice@ci, run 9c…, since 2025-…)": for messages and audit lines. */
export function describeLock(lock: StateLockRecord): string {
  const text = (key: string): string | undefined => {
    const value = lock.info[key];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const details = [
    text("Operation") && `operation ${text("Operation")}`,
    text("Who") && `by ${text("Who")}`,
    lock.runId && `run ${lock.runId}`,
    `since ${lock.acquiredAt.toISOString()}`,
  ].filter(Boolean);
  return `lock ${lock.lockId} (${details.join(", ")})`;
}
