/**
 * Variables Bosun sets for every engine run (src/runner/engine-environment.ts and the state
 * backend's TF_HTTP_* wiring), or whose defaults its runs rely on (the data directory, the
 * arguments it passes): neither a secret nor the operator's pass-through may replace them.
 */
export const RESERVED_ENGINE_VARIABLES =
  /^(PATH|HOME|TF_IN_AUTOMATION|TF_INPUT|TF_DATA_DIR|TF_PLUGIN_CACHE_DIR|TF_CLI_ARGS.*|TF_HTTP_.*)$/;
