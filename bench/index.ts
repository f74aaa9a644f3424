/*
 * `npm run bench`: every benchmark in turn, each printing its figures, then one summary table of
 * the figures against their targets. Reproducible: fixed inputs, the stand-in engine, embedded
 * PostgreSQL or a scratch database on the local PostgreSQL. Figures, not assertions: the machines
 * are shared, so a MISS says "look", not "broken".
 * `npm run bench -- intake plans` runs only the named ones (parse, orchestration, intake, plans,
 * requests, sandbox).
 */
import os from "node:os";
import { benchGithubRequests, extraRequests } from "./github-requests.js";
import { benchOrchestration } from "./orchestration.js";
import { benchParallelPlans } from "./parallel-plans.js";
import { inOwnProcess } from "./in-own-process.js";
import { benchSandbox } from "./sandbox.js";
import { benchWebhookIntake } from "./webhook-intake.js";

interface SummaryRow {
  figure: string;
  measured: string;
  target: string;
  pass: boolean;
}

const cpus = os.cpus();
const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
/** Other work on a shared machine shows here: each figure is only as quiet as the machine was. */
const loadAverage = () =>
  os
    .loadavg()
    .map((load) => load.toFixed(1))
    .join(" ");
console.log(`machine: ${machine}; load average ${loadAverage()} at start`);
const rows: SummaryRow[] = [];
const chosen = process.argv.slice(2);
const runs = (name: string) => chosen.length === 0 || chosen.includes(name);

// Intake runs first: its load generator lives in this process, and after the other benchmarks (the
// 13 MB plan, PGlite) the generator's CPU per delivery was measured five times higher.
if (runs("intake")) {
  console.log("\n== webhook intake (`bosun web` process, PostgreSQL on loopback, no workers)");
  const intake = await benchWebhookIntake();
  rows.push(
    {
      figure: `intake acknowledgement latency at ${intake.openLoopRate}/s, p50 / p99`,
      measured: `${intake.openLoopP50Ms} / ${intake.openLoopP99Ms} ms`,
      target: "p99 < 25 ms",
      pass: intake.openLoopP99Ms < 25,
    },
    {
      figure: `intake sustained, ${intake.closedLoopConnections} connections`,
      measured: `${intake.sustainedPerSecond} deliveries/s (CPU ms/delivery: bosun ${intake.bosunCpuMsPerDelivery}, PostgreSQL ${intake.postgresCpuMsPerDelivery}, generator ${intake.generatorCpuMsPerDelivery})`,
      target: "> 1,000 deliveries/s",
      pass: intake.sustainedPerSecond > 1000,
    },
  );
}

if (runs("parse")) {
  console.log("\n== plan parsing (test/fixtures, generated 10,000-resource plan)");
  const parse = await inOwnProcess(new URL("./plan-parse.ts", import.meta.url), "benchPlanParse");
  rows.push({
    figure: "10,000-resource plan: parse + summarise + sensitive values",
    measured: `${parse["generatedTotalMs"]} ms, peak RSS ${parse["peakRssMb"]} MB`,
    target: "< 2,000 ms, < 400 MB",
    pass: (parse["generatedTotalMs"] ?? Infinity) < 2000 && (parse["peakRssMb"] ?? Infinity) < 400,
  });
}

if (runs("orchestration")) {
  console.log("\n== orchestration overhead per component (stand-in engine at zero delay)");
  const orchestration = await benchOrchestration(
    Number(process.env.BENCH_PLANS ?? 50),
    Number(process.env.BENCH_APPLIES ?? 20),
  );
  rows.push({
    figure: "orchestration overhead per plan, p50",
    measured: `${orchestration["planOverheadP50Ms"]} ms`,
    target: "< 150 ms",
    pass: (orchestration["planOverheadP50Ms"] ?? Infinity) < 150,
  });
}

if (runs("plans")) {
  console.log("\n== 40 independent plans, stand-in at 1 s per plan, on 1, 2 and 4 workers");
  const results = await benchParallelPlans();
  const sequentialMs = results.find((plans) => plans.workers === 1)?.planJobsSumMs;
  for (const plans of results) {
    const share =
      sequentialMs === undefined
        ? ""
        : `; one-worker sum / ${plans.workers}: ${(sequentialMs / plans.workers / 1000).toFixed(1)} s`;
    // The ideal is the sequential sum (the plan jobs of the one-worker run) shared by the workers.
    const againstSum =
      sequentialMs === undefined
        ? Infinity
        : (plans.wallMs / (sequentialMs / plans.workers) - 1) * 100;
    rows.push({
      figure: `${plans.components} plans on ${plans.workers} worker${plans.workers === 1 ? "" : "s"}: wall vs sequential sum / workers`,
      measured: `${(plans.wallMs / 1000).toFixed(1)} s, +${againstSum.toFixed(1)}%${share} (nominal 1 s plans: ${(plans.idealMs / 1000).toFixed(1)} s, +${plans.overheadPercent}%)`,
      target: "within 15% of ideal",
      pass: againstSum <= 15,
    });
  }
}

if (runs("requests")) {
  console.log("\n== GitHub API requests of a pull-request cycle (1, 10 and 40 components)");
  const requests = await benchGithubRequests();
  const [smallest] = requests;
  const extra = requests.map((cycle) => (smallest ? extraRequests(cycle, smallest) : 0));
  const timing = requests.some((cycle) => cycle.total !== smallest?.total);
  rows.push({
    figure: "GitHub requests per PR cycle (plan + apply), 1 / 10 / 40 components",
    measured: `${requests.map((cycle) => cycle.total).join(" / ")}${timing ? `; beyond timing-dependent ones: ${extra.join(" / ")}` : ""}`,
    target: "the same for all three",
    pass: extra.every((count) => count === 0),
  });
}

if (runs("sandbox")) {
  console.log("\n== the engine sandbox's cost per phase (bubblewrap against none)");
  const sandbox = await benchSandbox();
  for (const [engine, phases] of Object.entries(sandbox.phases)) {
    for (const [phase, { without, with: withSandbox }] of Object.entries(phases)) {
      const added = Math.round((withSandbox - without) * 10) / 10;
      rows.push({
        figure: `sandbox cost, ${engine} ${phase} (p50; bwrap start ${sandbox.bwrapStartP50Ms} ms)`,
        measured: `+${added} ms (${without} → ${withSandbox} ms)`,
        target: "< 50 ms added per phase",
        pass: added < 50,
      });
    }
  }
}

console.log(`\n== summary (${machine}; load average ${loadAverage()} at the end)`);
const widths = {
  figure: Math.max(...rows.map((row) => row.figure.length)),
  measured: Math.max(...rows.map((row) => row.measured.length)),
  target: Math.max(...rows.map((row) => row.target.length)),
};
for (const row of rows) {
  console.log(
    `${row.figure.padEnd(widths.figure)}  ${row.measured.padEnd(widths.measured)}  ${row.target.padEnd(widths.target)}  ${row.pass ? "PASS" : "MISS"}`,
  );
}
