import { pgEnum } from "drizzle-orm/pg-core";
import { COMPONENT_PHASES } from "../../domain/component-phase.js";
import { SECRET_SCOPES } from "../../domain/secret-scope.js";
import { COMPONENT_CHANGE_KINDS } from "../../domain/affected-components.js";
import { ENGINE_KINDS } from "../../domain/engine-kind.js";
import { RUN_KINDS } from "../../domain/run-kind.js";
import { API_TOKEN_SCOPES } from "../../domain/api-token-scope.js";

export const engineKind = pgEnum("engine_kind", ENGINE_KINDS);
export const changeKind = pgEnum("change_kind", COMPONENT_CHANGE_KINDS);
export const runKind = pgEnum("run_kind", RUN_KINDS);
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
/** What an API token may do: `read` runs and logs, or also `trigger` and approve them. */
export const apiTokenScope = pgEnum("api_token_scope", API_TOKEN_SCOPES);
