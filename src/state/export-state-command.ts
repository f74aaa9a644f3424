import type { ComponentDirectory } from "../services/state-port.js";
import type { CommandResult } from "../lib/command-result.js";
import type { ManagedStateDeps } from "./managed-state-deps.js";
import { readState } from "./read-state.js";
import { resolveComponent } from "./resolve-component.js";

/** `bosun state export COMPONENT`: the latest state, decrypted, exactly as the engine wrote it. */
export async function exportStateCommand(
  deps: Pick<ManagedStateDeps, "store" | "key"> & { directory: ComponentDirectory },
  input: { component: string },
): Promise<CommandResult> {
  const resolved = await resolveComponent(deps.directory, input.component);
  if (!resolved.ok) return { exitCode: 1, stdout: "", stderr: `bosun: ${resolved.message}\n` };
  const state = await readState(deps, resolved.componentId);
  if (!state) {
    return { exitCode: 1, stdout: "", stderr: `bosun: ${input.component} has no state yet\n` };
  }
  return { exitCode: 0, stdout: state.body, stderr: "" };
}
