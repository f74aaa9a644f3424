import { z } from "zod";
import { RESERVED_ENGINE_VARIABLES } from "../domain/reserved-engine-variables.js";

/** What a shell accepts as a variable name, which is what an engine's environment can carry. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * BOSUN_ENGINE_PASSTHROUGH_ENV: host variables, comma-separated, that engines receive besides the
 * fixed few every run gets (src/runner/engine-environment.ts), for teams whose engines find their
 * credentials on the host (AWS_PROFILE and AWS_CONFIG_FILE, an instance role's web identity, a
 * proxy). Refused at start: Bosun's own variables (`ownVariables`, its configuration and
 * credentials, and anything BOSUN_*), which a pull request's code would read, and what Bosun sets
 * for the engine itself (HOME, TF_HTTP_* and the others of RESERVED_ENGINE_VARIABLES, TF_VAR_*),
 * which no host value may replace.
 */
export function enginePassthrough(ownVariables: readonly string[]) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      const names = [
        ...new Set(
          (value ?? "")
            .split(",")
            .map((name) => name.trim())
            .filter((name) => name !== ""),
        ),
      ];
      for (const name of names) {
        const refusal = refusalOf(name, ownVariables);
        if (refusal) ctx.addIssue({ code: "custom", message: `${name} ${refusal}` });
      }
      return names;
    });
}

function refusalOf(name: string, ownVariables: readonly string[]): string | undefined {
  if (!VARIABLE_NAME.test(name))
    return "is not an environment variable name (letters, digits and _)";
  if (name.startsWith("BOSUN_") || ownVariables.includes(name))
    return "is Bosun's own (its configuration or credentials): engines never receive it";
  if (RESERVED_ENGINE_VARIABLES.test(name)) return "is set by Bosun for every engine run";
  if (name.startsWith("TF_VAR_"))
    return "is an engine variable: give those in bosun.yml's variables or with `bosun secrets set`";
  return undefined;
}
