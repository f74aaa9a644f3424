import { variableToEnv } from "../domain/component-spec.js";

/**
 * Variables of the host that an engine legitimately needs (finding executables, certificates,
 * proxies, its CLI configuration). Everything else of Bosun's own, PRIVATE_KEY and DATABASE_URL
 * first, never reaches the engine. TF_PLUGIN_CACHE_DIR is Bosun's to set (provider-cache.ts): a
 * host cache shared by concurrent inits is what corrupts.
 */
const INHERITED = [
  "PATH",
  "LANG",
  "TZ",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
  "https_proxy",
  "http_proxy",
  "no_proxy",
  "TF_CLI_CONFIG_FILE",
] as const;

export function engineEnvironment(input: {
  host: NodeJS.ProcessEnv;
  /**
   * The operator's BOSUN_ENGINE_PASSTHROUGH_ENV: more host variables to pass on, checked at start
   * (src/config/engine-passthrough.ts) never to name Bosun's own or those it sets below.
   */
  passthrough: readonly string[];
  home: string;
  variables: Record<string, unknown>;
  /** A runtime config's environment variables: set before secrets and Bosun's own, which win. */
  runtimeEnv?: Record<string, string> | undefined;
  /** Secret variables of this phase, each under its own name (e.g. AWS_SECRET_ACCESS_KEY, TF_VAR_db_password). */
  secrets: Record<string, string>;
  /** Backend wiring and the like. */
  extra?: Record<string, string>;
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...INHERITED, ...input.passthrough]) {
    const value = input.host[name];
    if (value !== undefined) env[name] = value;
  }
  // After the host's, so that no host variable replaces what Bosun sets.
  env.HOME = input.home;
  env.TF_IN_AUTOMATION = "1";
  env.TF_INPUT = "0";
  for (const [name, value] of Object.entries(input.variables))
    env[`TF_VAR_${name}`] = variableToEnv(value);
  Object.assign(env, input.runtimeEnv, input.secrets, input.extra);
  return env;
}
