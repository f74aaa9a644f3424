import type { MiddlewareHandler } from "hono";
import type { Metrics, StateOutcome } from "../services/metrics-port.js";

const METHODS = new Set(["GET", "POST", "LOCK", "UNLOCK", "DELETE"]);

/** Counts every state-backend request by method and by what its answer meant to the engine. */
export function countStateRequests(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const method = METHODS.has(c.req.method) ? c.req.method : "other";
    metrics.stateRequest(method, outcomeOf(c.res.status));
  };
}

function outcomeOf(status: number): StateOutcome {
  if (status >= 500) return "error";
  if (status === 401 || status === 403) return "refused";
  // 423: locked by another run (LOCK), 409: a lock ID that does not hold it.
  if (status === 409 || status === 423) return "conflict";
  if (status >= 400) return "rejected";
  return "ok";
}
