import type { SandboxProbe } from "./probe-sandbox.js";
import type { SandboxMode } from "../config/sandbox-mode.js";

export type SandboxDecision =
  | { run: "sandboxed"; kind: "bubblewrap" }
  /** Bubblewrap does not work, Bosun is root: each engine command gets an unprivileged uid of its own. */
  | { run: "sandboxed"; kind: "uid"; warning: string }
  /** Said once at start (and, for `off`, on every run page through the phases' records). */
  | { run: "unsandboxed"; warning: string }
  /** Workers must not start: the process exits with this. */
  | { run: "refused"; error: string };

const SEE = 'see docs/security.md, "The engine sandbox" and "Containers and Kubernetes"';
const EXPOSED =
  "the code of every pull request Bosun plans can read Bosun's environment (private key, webhook secret, encryption key, database password) and its data directory";

/**
 * BOSUN_SANDBOX against what the machine can do. Bubblewrap first; where it cannot run (a default
 * container) and Bosun is root, uid isolation, which `required` accepts too. `auto` falls back to
 * unsandboxed runs only outside production: a production worker that silently lost its sandbox
 * would hand every pull request Bosun's credentials.
 */
export function decideSandbox(input: {
  mode: SandboxMode;
  production: boolean;
  /** Bubblewrap. */
  probe: SandboxProbe;
  /** Uid isolation, tried only when bubblewrap does not work (it needs Bosun to be root). */
  uidProbe: SandboxProbe;
}): SandboxDecision {
  const { mode, production, probe, uidProbe } = input;
  if (mode === "off") {
    return {
      run: "unsandboxed",
      warning: `BOSUN_SANDBOX=off: engine runs are NOT sandboxed; ${EXPOSED}. Every run page says so.`,
    };
  }
  if (probe.works) return { run: "sandboxed", kind: "bubblewrap" };
  if (uidProbe.works) {
    return {
      run: "sandboxed",
      kind: "uid",
      warning: `bubblewrap does not work here (${probe.reason}): each engine command runs as an unprivileged uid of its own instead (uid isolation), which keeps Bosun's environment and data directory from it but not the host's process list or world-readable files; ${SEE}.`,
    };
  }
  if (mode === "required" || production) {
    const why =
      mode === "required"
        ? "BOSUN_SANDBOX=required"
        : "NODE_ENV=production with BOSUN_SANDBOX=auto";
    return {
      run: "refused",
      error: `refusing to start workers: ${why} needs the engine sandbox, and it does not work here: ${probe.reason}; nor does uid isolation: ${uidProbe.reason}. Fix it (${SEE}) or set BOSUN_SANDBOX=off to run engines unsandboxed.`,
    };
  }
  return {
    run: "unsandboxed",
    warning: `the engine sandbox does not work here (${probe.reason}): engine runs are NOT sandboxed in development; ${EXPOSED}. NODE_ENV=production would refuse to start workers; ${SEE}.`,
  };
}
