import type { StateCredential } from "../services/state-port.js";

export const BACKEND_OVERRIDE_FILE = "bosun_backend_override.tf";

/**
 * An override file (`*_override.tf`, merged over the stack's own `terraform` block) that selects
 * the `http` backend with no settings: the engine reads all of them from TF_HTTP_* variables, so
 * the credential never lands in the workspace, the plan file or `.terraform/`.
 */
const OVERRIDE_CONTENT = 'terraform {\n  backend "http" {}\n}\n';

export interface ManagedBackend {
  overrideFileName: typeof BACKEND_OVERRIDE_FILE;
  overrideContent: string;
  /** Environment for every engine command of the phase (init, plan, apply, output). */
  env: Record<string, string>;
  /** Values the runner must mask in every log and output. */
  secrets: string[];
}

/**
 * How an engine reaches Bosun's state backend for one component. A `read` credential leaves the
 * lock addresses out, which turns locking off in the engine (it locks only when both are set): a
 * read-only plan neither needs nor may take the lock.
 */
export function managedBackend(input: {
  /** Bosun's public base URL (config.publicUrl, BOSUN_PUBLIC_URL). */
  stateUrl: string;
  componentId: string;
  credential: StateCredential;
}): ManagedBackend {
  const address = `${input.stateUrl.replace(/\/+$/, "")}/state/${encodeURIComponent(input.componentId)}`;
  const env: Record<string, string> = {
    TF_HTTP_ADDRESS: address,
    TF_HTTP_UPDATE_METHOD: "POST",
    TF_HTTP_USERNAME: input.credential.username,
    TF_HTTP_PASSWORD: input.credential.password,
  };
  if (input.credential.access === "write") {
    Object.assign(env, {
      TF_HTTP_LOCK_ADDRESS: address,
      TF_HTTP_LOCK_METHOD: "LOCK",
      TF_HTTP_UNLOCK_ADDRESS: address,
      TF_HTTP_UNLOCK_METHOD: "UNLOCK",
    });
  }
  return {
    overrideFileName: BACKEND_OVERRIDE_FILE,
    overrideContent: OVERRIDE_CONTENT,
    env,
    secrets: [input.credential.password],
  };
}
