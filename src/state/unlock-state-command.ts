import type { ComponentDirectory } from "../services/state-port.js";
import type { CommandResult } from "../lib/command-result.js";
import { describeLock } from "./describe-lock.js";
import { forceUnlockState } from "./force-unlock-state.js";
import type { ManagedStateDeps } from "./managed-state-deps.js";
import { resolveComponent } from "./resolve-component.js";

/** `bosun state unlock COMPONENT`: force-releases the component's state lock. */
export async function unlockStateCommand(
  deps: Pick<ManagedStateDeps, "store" | "log"> & { directory: ComponentDirectory },
  input: { component: string; who: string },
): Promise<CommandResult> {
  const resolved = await resolveComponent(deps.directory, input.component);
  if (!resolved.ok) return { exitCode: 1, stdout: "", stderr: `bosun: ${resolved.message}\n` };
  const released = await forceUnlockState(deps, {
    componentId: resolved.componentId,
    component: input.component,
    who: input.who,
  });
  return {
    exitCode: 0,
    stdout: released
      ? `released ${describeLock(released)} on ${input.component}\n`
      : `${input.component} was not locked\n`,
    stderr: "",
  };
}
