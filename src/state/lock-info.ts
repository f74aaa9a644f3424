import { z } from "zod";
import { refuse, type StateRefusal } from "./state-refusal.js";

/**
 * The engine's LockInfo, with Go's capitalised field names (OpenTofu
 * internal/states/statemgr/locker.go). Only `ID` matters to Bosun; the rest is kept as sent and
 * handed back whole to a contending locker, whose `-lock-timeout` retries only while the answer
 * carries a non-empty `ID` (see test/fixtures/CLI-CONTRACT.md §7).
 */
export const LockInfo = z.looseObject({
  ID: z.string().min(1, "ID must not be empty"),
  Operation: z.string().optional(),
  Info: z.string().optional(),
  Who: z.string().optional(),
  Version: z.string().optional(),
  Created: z.string().optional(),
  Path: z.string().optional(),
});
export type LockInfo = z.infer<typeof LockInfo>;

/** Reads a LOCK or UNLOCK body. */
export function parseLockInfo(body: Buffer): { kind: "parsed"; info: LockInfo } | StateRefusal {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return refuse(
      "bad-lock-info",
      "the lock request body is not JSON: expected the engine's LockInfo",
    );
  }
  const parsed = LockInfo.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "body"}: ${issue.message}`,
    );
    return refuse(
      "bad-lock-info",
      `the lock request body is not a LockInfo (${problems.join("; ")})`,
    );
  }
  return { kind: "parsed", info: parsed.data };
}
