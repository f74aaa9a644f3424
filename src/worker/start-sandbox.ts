import { constants } from "node:fs";
import { access } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { decideSandbox } from "../runner/decide-sandbox.js";
import { probeSandbox } from "../runner/probe-sandbox.js";
import type { SandboxKind } from "../domain/sandbox-kind.js";
import { createSandbox, type Sandbox, type SandboxMode } from "../runner/sandbox.js";

/** What /readyz says about this process's engine runs. */
export interface SandboxStatus {
  mode: SandboxMode;
  engines: SandboxKind;
}

/** Workers must not start without the sandbox the operator asked for. */
export class SandboxRefusedError extends Error {
  override readonly name = "SandboxRefusedError";
}

/**
 * Decides, before a worker takes any job, how its engines run: probes bubblewrap (unless
 * BOSUN_SANDBOX=off), warns when they will run unsandboxed, throws when that is not allowed.
 */
export async function startSandbox(input: {
  mode: SandboxMode;
  paths: readonly string[];
  production: boolean;
  workspaceRoot: string;
  hostPath: string | undefined;
  log: Logger;
}): Promise<{ sandbox: Sandbox | undefined; status: SandboxStatus }> {
  let sandbox: Sandbox | undefined;
  let probe: Awaited<ReturnType<typeof probeSandbox>> = { works: false, reason: "not probed" };
  if (input.mode !== "off") {
    const bwrap = await findOnPath("bwrap", input.hostPath);
    sandbox = bwrap
      ? await createSandbox({ bwrap, operatorPaths: input.paths, uid: process.getuid?.() })
      : undefined;
    // The probe binds BOSUN_SANDBOX_PATHS too: one that is missing fails it, naming the path.
    probe = await probeSandbox(sandbox, input.workspaceRoot);
  }
  const decision = decideSandbox({ mode: input.mode, production: input.production, probe });
  if (decision.run === "refused") throw new SandboxRefusedError(decision.error);
  if (decision.run === "unsandboxed") {
    input.log.warn({ sandbox: input.mode }, decision.warning);
    return { sandbox: undefined, status: { mode: input.mode, engines: "none" } };
  }
  input.log.info(
    { sandbox: input.mode, paths: input.paths },
    "engine runs are sandboxed (bubblewrap)",
  );
  return { sandbox, status: { mode: input.mode, engines: "bubblewrap" } };
}

async function findOnPath(name: string, hostPath: string | undefined): Promise<string | undefined> {
  for (const dir of (hostPath ?? "/usr/bin:/bin").split(":").filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}
