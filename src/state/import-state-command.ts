import { readFile } from "node:fs/promises";
import type { ComponentDirectory } from "../services/state-port.js";
import type { CommandResult } from "../lib/command-result.js";
import type { ManagedStateDeps } from "./managed-state-deps.js";
import { resolveComponent } from "./resolve-component.js";
import { writeState } from "./write-state.js";

/**
 * `bosun state import COMPONENT FILE`: appends FILE as the component's newest state version, under
 * the same rules as the engine's writes (state format 4, same lineage, a higher serial, unlocked).
 */
export async function importStateCommand(
  deps: Pick<ManagedStateDeps, "store" | "key" | "log" | "maxStateBytes"> & {
    directory: ComponentDirectory;
  },
  input: { component: string; file: string; who: string },
): Promise<CommandResult> {
  const resolved = await resolveComponent(deps.directory, input.component);
  if (!resolved.ok) return { exitCode: 1, stdout: "", stderr: `bosun: ${resolved.message}\n` };
  let body: Buffer;
  try {
    body = await readFile(input.file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { exitCode: 1, stdout: "", stderr: `bosun: cannot read ${input.file} (${code})\n` };
  }
  const result = await writeState(deps, {
    componentId: resolved.componentId,
    body,
    lockId: undefined,
    runId: undefined,
  });
  switch (result.kind) {
    case "refused":
      return {
        exitCode: 1,
        stdout: "",
        stderr: `bosun: not imported into ${input.component}: ${result.message}${
          result.code === "locked" ? ` (bosun state unlock ${input.component} releases it)` : ""
        }\n`,
      };
    case "unchanged":
      return {
        exitCode: 0,
        stdout: `${input.component} already has serial ${result.version.serial} with this content; nothing imported\n`,
        stderr: "",
      };
    case "stored":
      deps.log.warn(
        {
          audit: "state.import",
          who: input.who,
          component: input.component,
          componentId: resolved.componentId,
          serial: result.version.serial,
          digest: result.version.digest,
        },
        `${input.who} imported a state into ${input.component}`,
      );
      return {
        exitCode: 0,
        stdout: `imported serial ${result.version.serial} (lineage ${result.version.lineage}, ${result.version.size} bytes) into ${input.component}\n`,
        stderr: "",
      };
  }
}
