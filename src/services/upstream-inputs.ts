import { variableToEnv } from "../domain/component-spec.js";
import { type SealKeys, open } from "../lib/seal.js";
import { revisionOutputsContext } from "../lib/seal-contexts.js";
import type { RunComponentRecord, RunStore } from "./run-port.js";

/**
 * The inputs a component takes from its upstreams' deployed outputs (docs/design.md "Waves"):
 * plain outputs as variables, sensitive ones (sealed with the upstream) as TF_VAR_ secrets; or why
 * they cannot be had.
 */
export async function upstreamInputs(
  deps: { runs: RunStore; encryptionKey: SealKeys },
  record: RunComponentRecord,
): Promise<{ variables: Record<string, unknown>; secrets: Record<string, string> } | string> {
  const variables: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const dependency of record.spec.dependsOn ?? []) {
    const deployed = await deps.runs.deployedOutputs(dependency.componentId);
    if (!deployed)
      return `upstream ${dependency.stack} has never been applied in ${record.spec.environment}; apply it first`;
    const sensitive = deployed.sealedOutputs
      ? (JSON.parse(
          open(
            deps.encryptionKey,
            deployed.sealedOutputs,
            revisionOutputsContext(dependency.componentId),
          ).toString("utf8"),
        ) as Record<string, unknown>)
      : {};
    for (const [variable, output] of Object.entries(dependency.inputs)) {
      if (output in deployed.outputs) variables[variable] = deployed.outputs[output];
      else if (output in sensitive)
        secrets[`TF_VAR_${variable}`] = variableToEnv(sensitive[output]);
      else return `upstream ${dependency.stack} has no output ${output} (for input ${variable})`;
    }
  }
  return { variables, secrets };
}
