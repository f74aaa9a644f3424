import { z } from "zod";
import { CloudConfig } from "./cloud-config.js";
import { identifierSchema, nameSchema } from "./config-fields.js";
import { DriftConfig } from "./drift-config.js";

const JsonValue = z.json().meta({
  id: "JsonValue",
  description: "Any JSON value: string, number, boolean, null, list, map.",
});

export const EnvironmentConfig = z
  .strictObject({
    variables: z
      .record(identifierSchema("variable name"), JsonValue)
      .default({})
      .describe(
        "Non-secret input variables for every stack in this environment, passed as TF_VAR_<name>: strings as they are, anything else as JSON. Secrets do not belong here.",
      ),
    promote_from: nameSchema("environment")
      .optional()
      .describe(
        "The environment whose changes may be promoted into this one with /promote ENV (for prod: dev); that environment must have applied the exact change first. Read from the tracked branch.",
      ),
    production: z
      .boolean()
      .default(false)
      .describe("Marks the GitHub deployments of this environment as production deployments."),
    cloud: CloudConfig.optional(),
    drift: DriftConfig.optional(),
  })
  .describe("A deployment target. A stack is instantiated once per environment it lists.");
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;
