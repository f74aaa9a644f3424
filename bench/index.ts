/*
 * `npm run bench`: every benchmark in turn, each printing its figures. Reproducible: fixed inputs,
 * the stand-in engine, embedded PostgreSQL. Figures, not assertions: the machines are shared.
 */
import { benchOrchestration } from "./orchestration.js";
import { benchPlanParse } from "./plan-parse.js";

console.log("== plan parsing (../shared/fixtures, generated 10,000-resource plan)");
await benchPlanParse();
console.log("\n== orchestration overhead per component (stand-in engine at zero delay)");
await benchOrchestration(
  Number(process.env.BENCH_PLANS ?? 50),
  Number(process.env.BENCH_APPLIES ?? 20),
);
