import { randomBytes } from "node:crypto";
import { DEFAULT_RUN_TIMEOUT_MS } from "../config/env.js";
import { stateCredentialLifetime } from "../domain/state-credential-lifetime.js";
import type { StateAccess, StateCredential } from "../services/state-port.js";
import { hashStateToken } from "./hash-state-token.js";
import type { ManagedStateDeps } from "./managed-state-deps.js";

/**
 * A fresh basic-auth credential for one run's engine on one component. Only its hash is stored;
 * the password exists in the returned value and in the engine's environment, nowhere else. It
 * expires on its own (database clock), so one a dead worker never revoked still ends.
 */
export async function issueStateCredential(
  deps: Pick<ManagedStateDeps, "credentials" | "log" | "credentialLifetimeMs">,
  input: { componentId: string; runId: string; access?: StateAccess },
): Promise<StateCredential> {
  const access = input.access ?? "write";
  const password = randomBytes(32).toString("base64url");
  const { id, expiresAt } = await deps.credentials.insert({
    componentId: input.componentId,
    runId: input.runId,
    access,
    tokenHash: hashStateToken(password),
    lifetimeMs:
      deps.credentialLifetimeMs ?? stateCredentialLifetime(DEFAULT_RUN_TIMEOUT_MS).lifetimeMs,
  });
  deps.log.info(
    { componentId: input.componentId, runId: input.runId, credentialId: id, access, expiresAt },
    "state credential issued",
  );
  return { username: id, password, access };
}
