import { pgEnum } from "drizzle-orm/pg-core";

export const engineKind = pgEnum("engine_kind", ["opentofu", "terraform"]);
export const changeKind = pgEnum("change_kind", ["create", "update", "destroy", "orphan"]);
export const runKind = pgEnum("run_kind", ["proposed", "tracked", "destroy"]);
export const changesetStatus = pgEnum("changeset_status", ["open", "closed"]);
/** Per-component phases of DESIGN.md's lifecycle. */
export const componentPhase = pgEnum("component_phase", [
  "QUEUED",
  "DEFERRED",
  "PREPARING",
  "INITIALIZING",
  "PLANNING",
  "UNCONFIRMED",
  "CONFIRMED",
  "APPLYING",
  "FINISHED",
  "FAILED",
  "DISCARDED",
  "BLOCKED",
]);
export const deliveryStatus = pgEnum("delivery_status", [
  "queued",
  "processed",
  "rejected",
  "ignored",
  "failed",
]);
/** Which phases receive a secret: plan gets read-only credentials where a team provides them. */
export const secretScope = pgEnum("secret_scope", ["plan", "apply", "both"]);
/** What a state credential may do: `read` (GET only, for plans of untrusted code) or `write`. */
export const stateAccess = pgEnum("state_access", ["read", "write"]);
