/*
 * `npm run bench`: every benchmark in turn, each printing its figures. Reproducible: fixed inputs,
 * the stand-in engine, embedded PostgreSQL. Figures, not assertions: the machines are shared.
 */
import { benchGithubRequests } from "./github-requests.js";
import { benchOrchestration } from "./orchestration.js";
import { benchPlanParse } from "./plan-parse.js";

console.log("== plan parsing (../shared/fixtures, generated 10,000-resource plan)");
await benchPlanParse();
console.log("\n== orchestration overhead per component (stand-in engine at zero delay)");
await benchOrchestration(
  Number(process.env.BENCH_PLANS ?? 50),
  Number(process.env.BENCH_APPLIES ?? 20),
);
console.log("\n== GitHub API requests of a pull-request cycle (1 and 20 components)");
await benchGithubRequests();
