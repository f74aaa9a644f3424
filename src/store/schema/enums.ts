import { pgEnum } from "drizzle-orm/pg-core";
import { COMPONENT_PHASES } from "../../domain/component-phase.js";
import { SECRET_SCOPES } from "../../services/secrets-command.js";

export const engineKind = pgEnum("engine_kind", ["opentofu", "terraform"]);
export const changeKind = pgEnum("change_kind", ["create", "update", "destroy", "orphan"]);
export const runKind = pgEnum("run_kind", ["proposed", "tracked", "destroy"]);
export const changesetStatus = pgEnum("changeset_status", ["open", "closed"]);
/** Per-component phases of docs/design.md's lifecycle: the domain's closed set. */
export const componentPhase = pgEnum("component_phase", COMPONENT_PHASES);
export const deliveryStatus = pgEnum("delivery_status", [
  "queued",
  "processed",
  "rejected",
  "ignored",
  "failed",
]);
/** Which phases receive a secret: plan gets read-only credentials where a team provides them. */
export const secretScope = pgEnum("secret_scope", SECRET_SCOPES);
/** What a state credential may do: `read` (GET only, for plans of untrusted code) or `write`. */
export const stateAccess = pgEnum("state_access", ["read", "write"]);
