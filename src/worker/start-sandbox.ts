import type { Logger } from "pino";
import { locateExecutable } from "../lib/locate-executable.js";
import { decideSandbox } from "../runner/decide-sandbox.js";
import { probeSandbox } from "../runner/probe-sandbox.js";
import type { SandboxKind } from "../domain/sandbox-kind.js";
import type { SandboxMode } from "../config/sandbox-mode.js";
import { createSandbox, type Sandbox } from "../runner/sandbox.js";
import { createUidIsolation } from "../runner/uid-isolation.js";

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
 * BOSUN_SANDBOX=off) and, where it fails and Bosun is root, uid isolation; warns when they will
 * run less confined, throws when that is not allowed.
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
    const bwrap = await locateExecutable("bwrap", input.hostPath ?? "/usr/bin:/bin", "/");
    sandbox = bwrap
      ? await createSandbox({ bwrap, operatorPaths: input.paths, uid: process.getuid?.() })
      : undefined;
    // The probe binds BOSUN_SANDBOX_PATHS too: one that is missing fails it, naming the path.
    probe = await probeSandbox(sandbox, input.workspaceRoot);
  }
  const uidIsolation = createUidIsolation();
  let uidProbe: Awaited<ReturnType<typeof probeSandbox>> = { works: false, reason: "not probed" };
  if (input.mode !== "off" && !probe.works) {
    uidProbe =
      process.getuid?.() === 0
        ? await probeSandbox(uidIsolation, input.workspaceRoot)
        : { works: false, reason: "Bosun does not run as root, so it cannot hand engines a uid" };
  }
  const decision = decideSandbox({
    mode: input.mode,
    production: input.production,
    probe,
    uidProbe,
  });
  if (decision.run === "refused") throw new SandboxRefusedError(decision.error);
  if (decision.run === "unsandboxed") {
    input.log.warn({ sandbox: input.mode }, decision.warning);
    return { sandbox: undefined, status: { mode: input.mode, engines: "none" } };
  }
  if (decision.kind === "uid") {
    input.log.warn({ sandbox: input.mode }, decision.warning);
    return { sandbox: uidIsolation, status: { mode: input.mode, engines: "uid" } };
  }
  input.log.info(
    { sandbox: input.mode, paths: input.paths },
    "engine runs are sandboxed (bubblewrap)",
  );
  return { sandbox, status: { mode: input.mode, engines: "bubblewrap" } };
}
