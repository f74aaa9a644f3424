import type { Refusal, RefusalKind } from "../render/command-reply.js";
import { refusalReason } from "../render/refusal-reason.js";

/**
 * What confirming or discarding one run through the HTTP API came to, with the status it is
 * answered with.
 */
export type RunActionOutcome =
  | { kind: "done" }
  | { kind: "refused"; status: 403 | 404 | 409; reason: string; refusal?: RefusalKind };

/** A refusal of the approval gate: 403 for who may not act, 409 for a run not in a state to. */
export function refusedBy(refusal: Refusal): RunActionOutcome {
  return {
    kind: "refused",
    status: refusal.kind === "no-permission" ? 403 : 409,
    reason: refusalReason(refusal),
    refusal: refusal.kind,
  };
}
