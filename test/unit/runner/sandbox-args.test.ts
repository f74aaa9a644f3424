import { describe, expect, it } from "vitest";
import { sandboxArgs } from "../../../src/runner/sandbox-args.js";

const layout = {
  workspace: "/data/workspaces/ws-1",
  cwd: "/data/workspaces/ws-1/src/infra",
  system: [{ path: "/usr" }, { path: "/bin", symlinkTo: "usr/bin" }, { path: "/etc/ssl" }],
  operatorPaths: ["/opt/mirror"],
  executables: ["/tmp/engines/tofu"],
  command: { file: "/tmp/engines/tofu", args: ["plan", "-out=bosun.tfplan"] },
};

/** The arguments after `flag`, `count` of them, at each place it occurs. */
const occurrences = (args: string[], flag: string, count: number) =>
  args.flatMap((arg, i) => (arg === flag ? [args.slice(i + 1, i + 1 + count)] : []));

describe("the bubblewrap command line", () => {
  const args = sandboxArgs(layout);

  it("gives the engine its own user, PID, IPC, UTS and cgroup namespaces, no capabilities, and ties it to Bosun", () => {
    for (const flag of [
      "--unshare-user",
      "--disable-userns",
      "--unshare-pid",
      "--unshare-ipc",
      "--unshare-uts",
      "--unshare-cgroup-try",
      "--new-session",
      "--die-with-parent",
    ])
      expect(args).toContain(flag);
    expect(occurrences(args, "--cap-drop", 1)).toEqual([["ALL"]]);
    // The network stays shared: providers and the state backend need it.
    expect(args).not.toContain("--unshare-net");
    expect(args).not.toContain("--unshare-all");
  });

  it("shows a fresh /proc, /dev and a private /tmp, the system read-only, the workspace read-write", () => {
    expect(occurrences(args, "--proc", 1)).toEqual([["/proc"]]);
    expect(occurrences(args, "--dev", 1)).toEqual([["/dev"]]);
    expect(occurrences(args, "--tmpfs", 1)).toEqual([["/tmp"]]);
    expect(occurrences(args, "--ro-bind-try", 2)).toEqual([
      ["/usr", "/usr"],
      ["/etc/ssl", "/etc/ssl"],
    ]);
    expect(occurrences(args, "--symlink", 2)).toEqual([["usr/bin", "/bin"]]);
    expect(occurrences(args, "--ro-bind", 2)).toEqual([
      ["/opt/mirror", "/opt/mirror"],
      ["/tmp/engines/tofu", "/tmp/engines/tofu"],
    ]);
    expect(occurrences(args, "--bind", 2)).toEqual([[layout.workspace, layout.workspace]]);
    expect(occurrences(args, "--chdir", 1)).toEqual([[layout.cwd]]);
  });

  it("mounts the private /tmp before the binds, which may live under /tmp", () => {
    const tmp = args.indexOf("--tmpfs");
    expect(tmp).toBeLessThan(args.indexOf("--ro-bind"));
    expect(tmp).toBeLessThan(args.indexOf("--bind"));
  });

  it("ends with the engine's own command line, after --", () => {
    expect(args.slice(args.indexOf("--"))).toEqual([
      "--",
      "/tmp/engines/tofu",
      "plan",
      "-out=bosun.tfplan",
    ]);
  });

  it("binds nothing of the host it was not given: no /, /home, /root, /var, /run or /proc", () => {
    const sources = [
      ...occurrences(args, "--ro-bind-try", 1),
      ...occurrences(args, "--ro-bind", 1),
      ...occurrences(args, "--bind", 1),
    ].map(([source]) => source);
    for (const source of sources)
      expect(["/", "/home", "/root", "/var", "/run", "/proc"]).not.toContain(source);
  });
});
