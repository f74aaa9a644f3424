/*
 * Orchestration overhead per component: the wall time of executing a component (phases, logs,
 * database writes, sealing, masking, workspace set-up and clean-up) minus the time the engine's
 * own commands took. The stand-in engine runs at zero delay; the database is in-memory PGlite.
 * Run: npx tsx bench/orchestration.ts   Target: p50 under 150 ms.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { generateEncryptionKey } from "../src/lib/seal.js";
import { createEngine, type Engine } from "../src/runner/engine.js";
import { executeRunComponent, type ExecutorDeps } from "../src/services/execute-run-component.js";
import { openDatabase } from "../src/store/database.js";
import { createRunRepository } from "../src/store/run-repository.js";
import { createLeaseRepository } from "../src/store/lease-repository.js";
import { createSecretRepository } from "../src/store/secret-repository.js";
import { networkStackFiles } from "../test/helpers/network-stack.js";
import { repoTarball } from "../test/helpers/repo-tarball.js";
import { networkSpec, seedRepository, seedRun } from "../test/helpers/seed.js";
import { STAND_IN_TERRAFORM, STAND_IN_TOFU } from "../test/helpers/stand-in.js";
import { componentRunner } from "../src/runner/component-runner.js";

/** Wraps every engine command to add its wall time to `spent.ms`. */
function timed(engine: Engine, spent: { ms: number }): Engine {
  const wrap =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await call(...args);
      } finally {
        spent.ms += performance.now() - started;
      }
    };
  return {
    kind: engine.kind,
    sandbox: engine.sandbox,
    version: wrap(engine.version),
    init: wrap(engine.init),
    selectWorkspace: wrap(engine.selectWorkspace),
    plan: wrap(engine.plan),
    showJson: wrap(engine.showJson),
    showText: wrap(engine.showText),
    apply: wrap(engine.apply),
    outputs: wrap(engine.outputs),
    shell: wrap(engine.shell),
    through: (launcher) => timed(engine.through(launcher), spent),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function benchOrchestration(
  plans = 50,
  applies = 20,
): Promise<Record<string, number>> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "bosun-bench-"));
  const database = await openDatabase({ kind: "pglite", dataDir: undefined });
  await database.migrate();
  await seedRepository(database.db);
  const { key } = generateEncryptionKey();
  const tarball = await repoTarball(networkStackFiles);
  const spent = { ms: 0 };
  const runs = createRunRepository(database.db);
  const deps: ExecutorDeps = {
    runner: componentRunner,
    runs,
    leases: createLeaseRepository(database.db),
    workerId: "bench-worker",
    leaseMs: 30_000,
    secrets: createSecretRepository(database.db, key),
    fetchSource: async () => tarball,
    engines: {
      opentofu: timed(createEngine("opentofu", STAND_IN_TOFU), spent),
      terraform: timed(createEngine("terraform", STAND_IN_TERRAFORM), spent),
    },
    encryptionKey: key,
    workspaceRoot: path.join(dataDir, "workspaces"),
    timeoutMs: 60_000,
    hostEnv: { PATH: process.env.PATH },
    stateBackend: undefined,
    log: pino({ level: "silent" }),
  };
  const overhead = { plan: [] as number[], apply: [] as number[] };
  for (let i = 0; i < plans; i += 1) {
    const { runComponentId } = await seedRun(database.db, networkSpec({ state: "own" }));
    spent.ms = 0;
    const started = performance.now();
    const phase = await executeRunComponent(deps, { runComponentId, action: "plan" });
    overhead.plan.push(performance.now() - started - spent.ms);
    if (phase !== "UNCONFIRMED") throw new Error(`plan ended ${String(phase)}`);
    if (i < applies) {
      await runs.transition(runComponentId, ["UNCONFIRMED"], "CONFIRMED", "bench", "bench");
      spent.ms = 0;
      const applyStarted = performance.now();
      const applied = await executeRunComponent(deps, { runComponentId, action: "apply" });
      overhead.apply.push(performance.now() - applyStarted - spent.ms);
      if (applied !== "FINISHED") throw new Error(`apply ended ${String(applied)}`);
    }
  }
  await database.close();
  await rm(dataDir, { recursive: true, force: true });
  const figures = {
    planRuns: overhead.plan.length,
    planOverheadP50Ms: Math.round(percentile(overhead.plan, 50)),
    planOverheadP95Ms: Math.round(percentile(overhead.plan, 95)),
    applyRuns: overhead.apply.length,
    applyOverheadP50Ms: Math.round(percentile(overhead.apply, 50)),
    applyOverheadP95Ms: Math.round(percentile(overhead.apply, 95)),
  };
  for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(28)} ${value}`);
  console.log(
    `target: plan overhead p50 < 150 ms ${figures.planOverheadP50Ms < 150 ? "met" : "MISSED"}`,
  );
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchOrchestration(
    Number(process.env.BENCH_PLANS ?? 50),
    Number(process.env.BENCH_APPLIES ?? 20),
  );
}
