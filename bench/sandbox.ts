/*
 * The engine sandbox's cost: the same phases (INITIALIZING: version + init; PLANNING: plan +
 * show -json + show) run with and without bubblewrap, in a workspace under a scratch data
 * directory, for the stand-in and, when it is installed, the real Terraform CLI.
 */
import { access, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createEngine, type Engine, type Invocation } from "../src/runner/engine.js";
import { runProcess } from "../src/runner/exec.js";
import { probeSandbox } from "../src/runner/probe-sandbox.js";
import { createSandbox, type Sandbox } from "../src/runner/sandbox.js";
import { percentile } from "./bosun-process.js";

const STAND_IN = fileURLToPath(new URL("../test/stand-in/bin/tofu", import.meta.url));
const STAND_IN_PATHS = [
  fileURLToPath(new URL("../test/stand-in", import.meta.url)),
  fileURLToPath(new URL("../node_modules", import.meta.url)),
];
const TERRAFORM = "/usr/local/bin/terraform";

const stacks = {
  standIn: `resource "null_resource" "a" {\n  triggers = { n = "1" }\n}\noutput "o" {\n  value = "x"\n}\n`,
  terraform: `resource "terraform_data" "a" {\n  input = "1"\n}\noutput "o" {\n  value = upper("x")\n}\n`,
};

export interface SandboxFigures {
  /** Wall time of bwrap around /bin/true, less /bin/true alone, p50 (ms). */
  bwrapStartP50Ms: number;
  /** engine → phase → { without, with } p50 wall time in ms. */
  phases: Record<string, Record<string, { without: number; with: number }>>;
}

export async function benchSandbox(rounds = Number(process.env.BENCH_SANDBOX_ROUNDS ?? 10)) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "bosun-bench-sandbox-"));
  const workspaceRoot = path.join(dataDir, "workspaces");
  try {
    const sandbox = await createSandbox({
      bwrap: "/usr/bin/bwrap",
      operatorPaths: STAND_IN_PATHS,
      uid: process.getuid?.(),
    });
    const probe = await probeSandbox(sandbox, workspaceRoot);
    if (!probe.works) throw new Error(`the sandbox does not work here: ${probe.reason}`);

    const bare: number[] = [];
    const wrapped: number[] = [];
    for (let round = 0; round < rounds * 3; round++) {
      bare.push(await timeTrue(undefined, workspaceRoot));
      wrapped.push(await timeTrue(sandbox, workspaceRoot));
    }
    const figures: SandboxFigures = {
      bwrapStartP50Ms: round1(percentile(wrapped, 50) - percentile(bare, 50)),
      phases: {},
    };
    console.log(
      `bwrap start (around /bin/true): +${figures.bwrapStartP50Ms} ms p50 (bare ${round1(percentile(bare, 50))} ms)`,
    );
    const engines: [string, string, string][] = [["stand-in", STAND_IN, stacks.standIn]];
    if (
      await access(TERRAFORM).then(
        () => true,
        () => false,
      )
    )
      engines.push(["terraform", TERRAFORM, stacks.terraform]);
    for (const [name, bin, tf] of engines) {
      const samples: Record<string, { without: number[]; with: number[] }> = {
        INITIALIZING: { without: [], with: [] },
        PLANNING: { without: [], with: [] },
      };
      for (let round = 0; round < rounds; round++) {
        for (const mode of ["without", "with"] as const) {
          const engine = createEngine("opentofu", bin, mode === "with" ? sandbox : undefined);
          const times = await phaseTimes(engine, workspaceRoot, tf);
          samples.INITIALIZING![mode].push(times.init);
          samples.PLANNING![mode].push(times.plan);
        }
      }
      figures.phases[name] = {};
      for (const [phase, { without, with: withSandbox }] of Object.entries(samples)) {
        const entry = {
          without: round1(percentile(without, 50)),
          with: round1(percentile(withSandbox, 50)),
        };
        figures.phases[name]![phase] = entry;
        console.log(
          `${name} ${phase}: ${entry.without} ms unsandboxed, ${entry.with} ms sandboxed (+${round1(entry.with - entry.without)} ms, p50 of ${rounds})`,
        );
      }
    }
    return figures;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function timeTrue(sandbox: Sandbox | undefined, workspaceRoot: string): Promise<number> {
  const workspace = await mkdtemp(path.join(workspaceRoot, "ws-"));
  try {
    const command = sandbox
      ? await sandbox.wrap("/bin/true", [], { workspace, cwd: workspace, pathVariable: "/usr/bin" })
      : { file: "/bin/true", args: [], runAs: undefined };
    if ("startError" in command) throw new Error(command.startError);
    const started = performance.now();
    await runProcess(command.file, command.args, {
      cwd: workspace,
      env: { PATH: "/usr/bin:/bin" },
      timeoutMs: 10_000,
      ...(command.runAs ? { runAs: command.runAs } : {}),
    });
    return performance.now() - started;
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

/** One INITIALIZING and one PLANNING phase in a fresh workspace, as run-component runs them. */
async function phaseTimes(
  engine: Engine,
  workspaceRoot: string,
  tf: string,
): Promise<{ init: number; plan: number }> {
  const workspace = await mkdtemp(path.join(workspaceRoot, "ws-"));
  try {
    const stackDir = path.join(workspace, "src", "stack");
    await mkdir(stackDir, { recursive: true });
    await mkdir(path.join(workspace, "home"));
    await writeFile(path.join(stackDir, "main.tf"), tf);
    const at: Invocation = {
      cwd: stackDir,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: path.join(workspace, "home") },
      timeoutMs: 120_000,
      workspace,
    };
    let started = performance.now();
    await engine.version(at);
    await engine.init(at);
    const init = performance.now() - started;
    started = performance.now();
    await engine.plan(at, { planFile: "bosun.tfplan" });
    await engine.showJson(at, "bosun.tfplan");
    await engine.showText(at, "bosun.tfplan");
    return { init, plan: performance.now() - started };
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

const round1 = (value: number) => Math.round(value * 10) / 10;
