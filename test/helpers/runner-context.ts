import { chmod, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ComponentSpec } from "../../src/domain/component-spec.js";
import { createMasker } from "../../src/lib/redact.js";
import { createEngine } from "../../src/runner/engine.js";
import type { ComponentRunContext, RunnerPhase } from "../../src/runner/run-component.js";
import { STAND_IN_TOFU } from "./stand-in.js";

/** What a runner test reads back: each phase's log lines, in order. */
export interface PhaseLines {
  lines: { phase: RunnerPhase; text: string }[];
}

/**
 * A component run of `spec` over `tarball` with the stand-in engine, unsandboxed, its phase logs
 * collected in `seen`: the runner alone, no database or queue.
 */
export async function runContext(
  spec: Partial<ComponentSpec> & Pick<ComponentSpec, "dir" | "environment">,
  tarball: Buffer,
  seen: PhaseLines,
  extra: Partial<ComponentRunContext> = {},
): Promise<ComponentRunContext> {
  const root = await mkdtemp(path.join(os.tmpdir(), "bosun-runner-"));
  // As BOSUN_DATA_DIR is: the sandbox's account, when tests run as root, passes through to its workspace.
  await chmod(root, 0o711);
  return {
    spec: {
      stack: "app",
      engine: "opentofu",
      varFiles: [],
      variables: {},
      state: "own",
      ...spec,
    },
    engine: createEngine("opentofu", STAND_IN_TOFU),
    fetchSource: async () => tarball,
    workspaceRoot: path.join(root, "workspaces"),
    timeoutMs: 60_000,
    secrets: {},
    managedBackend: undefined,
    masker: createMasker(),
    reporter: {
      async start(phase) {
        return (_stream, text) => seen.lines.push({ phase, text });
      },
      async finish() {},
    },
    hostEnv: { PATH: process.env.PATH },
    enginePassthrough: [],
    ...extra,
  };
}
