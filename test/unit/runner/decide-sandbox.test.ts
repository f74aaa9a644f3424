import { describe, expect, it } from "vitest";
import { decideSandbox } from "../../../src/runner/decide-sandbox.js";
import type { SandboxMode } from "../../../src/config/sandbox-mode.js";

const works = { works: true } as const;
const broken = { works: false, reason: "bwrap: No permissions to create new namespace" } as const;
const notRoot = {
  works: false,
  reason: "Bosun does not run as root, so it cannot hand engines a uid",
} as const;

describe("how engines run, by BOSUN_SANDBOX and what the machine can do", () => {
  it.each<[SandboxMode, boolean, boolean, "sandboxed" | "unsandboxed" | "refused"]>([
    ["auto", true, false, "sandboxed"],
    ["auto", true, true, "sandboxed"],
    ["auto", false, false, "unsandboxed"],
    ["auto", false, true, "refused"],
    ["required", true, false, "sandboxed"],
    ["required", true, true, "sandboxed"],
    ["required", false, false, "refused"],
    ["required", false, true, "refused"],
    ["off", true, false, "unsandboxed"],
    ["off", true, true, "unsandboxed"],
    ["off", false, false, "unsandboxed"],
    ["off", false, true, "unsandboxed"],
  ])("%s, sandbox works: %s, production: %s → %s", (mode, sandboxWorks, production, run) => {
    const decision = decideSandbox({
      mode,
      production,
      probe: sandboxWorks ? works : broken,
      uidProbe: notRoot,
    });
    expect(decision.run).toBe(run);
  });

  it.each<[SandboxMode, boolean, boolean, "bubblewrap" | "uid" | "none" | "refused"]>([
    ["auto", true, false, "bubblewrap"],
    ["auto", true, true, "bubblewrap"],
    ["auto", false, false, "uid"],
    ["auto", false, true, "uid"],
    ["required", true, false, "bubblewrap"],
    ["required", true, true, "bubblewrap"],
    ["required", false, false, "uid"],
    ["required", false, true, "uid"],
    ["off", false, false, "none"],
    ["off", false, true, "none"],
  ])(
    "as root with uid isolation working: %s, bubblewrap works: %s, production: %s → %s",
    (mode, sandboxWorks, production, kind) => {
      const decision = decideSandbox({
        mode,
        production,
        probe: sandboxWorks ? works : broken,
        uidProbe: works,
      });
      const got =
        decision.run === "sandboxed"
          ? decision.kind
          : decision.run === "unsandboxed"
            ? "none"
            : "refused";
      expect(got).toBe(kind);
    },
  );

  it("says why bubblewrap was passed over for uid isolation, and what that leaves visible", () => {
    const decision = decideSandbox({
      mode: "auto",
      production: true,
      probe: broken,
      uidProbe: works,
    });
    expect(decision.run === "sandboxed" && decision.kind === "uid" && decision.warning).toMatch(
      /^bubblewrap does not work here \(bwrap: No permissions.*\): each engine command runs as an unprivileged uid of its own .*not the host's process list/,
    );
  });

  it("refuses with the reason and what to do", () => {
    const decision = decideSandbox({
      mode: "auto",
      production: true,
      probe: broken,
      uidProbe: notRoot,
    });
    expect(decision).toEqual({
      run: "refused",
      error:
        'refusing to start workers: NODE_ENV=production with BOSUN_SANDBOX=auto needs the engine sandbox, and it does not work here: bwrap: No permissions to create new namespace; nor does uid isolation: Bosun does not run as root, so it cannot hand engines a uid. Fix it (see docs/security.md, "The engine sandbox" and "Containers and Kubernetes") or set BOSUN_SANDBOX=off to run engines unsandboxed.',
    });
    const required = decideSandbox({
      mode: "required",
      production: false,
      probe: broken,
      uidProbe: notRoot,
    });
    expect(required.run === "refused" && required.error).toMatch(
      /^refusing to start workers: BOSUN_SANDBOX=required needs the engine sandbox/,
    );
  });

  it("warns when engines run unsandboxed, saying what is exposed", () => {
    const off = decideSandbox({ mode: "off", production: false, probe: works, uidProbe: works });
    expect(off.run === "unsandboxed" && off.warning).toMatch(
      /^BOSUN_SANDBOX=off: engine runs are NOT sandboxed; .*private key.*Every run page says so\.$/,
    );
    const fallback = decideSandbox({
      mode: "auto",
      production: false,
      probe: broken,
      uidProbe: notRoot,
    });
    expect(fallback.run === "unsandboxed" && fallback.warning).toMatch(
      /does not work here \(bwrap: No permissions.*\): engine runs are NOT sandboxed in development/,
    );
  });
});
