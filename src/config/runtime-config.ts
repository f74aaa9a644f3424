import { z } from "zod";
import { addressProblem } from "../domain/command-argument-rules.js";
import { RESERVED_ENGINE_VARIABLES } from "../domain/reserved-engine-variables.js";
import { parseYamlConfig, type ConfigProblem } from "./parse-yaml-config.js";

/** A runtime config is a few overrides; anything near this size is a mistake. */
export const MAX_RUNTIME_CONFIG_BYTES = 64 * 1024;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/**
 * Beyond what neither a secret nor the operator may set: Bosun's own names, engine variables
 * (which belong under `variables`), and the phase's cloud identity, so a trigger cannot point an
 * apply at another role.
 */
const RUNTIME_RESERVED =
  /^(BOSUN_.*|TF_VAR_.*|AWS_WEB_IDENTITY_TOKEN_FILE|AWS_ROLE_ARN|AWS_ROLE_SESSION_NAME|ARM_USE_OIDC|ARM_OIDC_TOKEN_FILE_PATH|ARM_CLIENT_ID|ARM_TENANT_ID|ARM_SUBSCRIPTION_ID|GOOGLE_APPLICATION_CREDENTIALS)$/;
const isReserved = (name: string) =>
  RESERVED_ENGINE_VARIABLES.test(name) || RUNTIME_RESERVED.test(name);

/**
 * What a trigger may override for its run alone (docs/design.md "Runs without a pull request"):
 * engine variables, non-secret environment variables, `-target` addresses and skipping the apply.
 */
export const RuntimeConfig = z
  .strictObject({
    variables: z
      .record(
        z
          .string()
          .regex(VARIABLE_NAME, "must be a variable name (letters, digits, _ and -)")
          .refine((name) => !name.startsWith("BOSUN_"), "BOSUN_* names are Bosun's own"),
        z.unknown(),
      )
      .optional()
      .describe("Engine variables (TF_VAR_*), over the environment's own."),
    env: z
      .record(
        z
          .string()
          .regex(ENV_NAME, "must be an environment variable name (letters, digits, _)")
          .refine(
            (name) => !isReserved(name),
            "is set by Bosun for every engine run (BOSUN_*, TF_HTTP_*, cloud identity, …)",
          ),
        z.string().max(4096),
      )
      .optional()
      .describe("Non-secret environment variables for the engine; never BOSUN_*."),
    targets: z
      .array(
        z.string().superRefine((address, context) => {
          const problem = addressProblem(address);
          if (problem) context.addIssue({ code: "custom", message: problem });
        }),
      )
      .max(100)
      .optional()
      .describe("Resource addresses passed as -target: the plan covers these alone."),
    skip_apply: z
      .boolean()
      .optional()
      .describe("Confirming the run ends it without applying (Spacelift's skip-apply)."),
  })
  .meta({
    title: "Bosun runtime config",
    description:
      "Overrides a trigger (stack page, HTTP API, CLI) applies to its run alone. Unknown keys are errors.",
  });
export type RuntimeConfig = z.infer<typeof RuntimeConfig>;

export type RuntimeConfigParse =
  { ok: true; config: RuntimeConfig } | { ok: false; problems: ConfigProblem[] };

/** Reads a runtime config written as YAML or JSON, with every problem and its line. */
export function parseRuntimeConfig(text: string): RuntimeConfigParse {
  if (text.trim() === "") return { ok: true, config: {} };
  const parsed = parseYamlConfig(text, {
    schema: RuntimeConfig,
    fileName: "the runtime config",
    maxBytes: MAX_RUNTIME_CONFIG_BYTES,
    emptyMessage: "the runtime config is empty",
  });
  return parsed.ok ? { ok: true, config: parsed.value } : parsed;
}

/** The JSON Schema of a runtime config, committed as `schema/runtime-config.schema.json`. */
export function runtimeConfigJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(RuntimeConfig, { io: "input" });
  return {
    $schema,
    $comment:
      "Generated from src/config/runtime-config.ts by `npx tsx scripts/generate-config-schema.ts`; do not edit.",
    ...rest,
  };
}
