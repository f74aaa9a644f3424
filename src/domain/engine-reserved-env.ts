/**
 * Environment variables Bosun sets for every engine run (the workspace, automation mode, the state
 * backend's credential, the phase's cloud identity): a secret or a runtime config must not replace
 * them, or a trigger could point an apply at another state or another role.
 */
const RESERVED =
  /^(PATH|HOME|TF_IN_AUTOMATION|TF_INPUT|TF_DATA_DIR|TF_CLI_ARGS.*|TF_HTTP_.*|TF_VAR_.*|AWS_WEB_IDENTITY_TOKEN_FILE|AWS_ROLE_ARN|AWS_ROLE_SESSION_NAME|ARM_USE_OIDC|ARM_OIDC_TOKEN_FILE_PATH|ARM_CLIENT_ID|ARM_TENANT_ID|ARM_SUBSCRIPTION_ID|GOOGLE_APPLICATION_CREDENTIALS|BOSUN_.*)$/;

/** An environment variable name as a shell and the engine accept it. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function isReservedEngineEnv(name: string): boolean {
  return RESERVED.test(name);
}
