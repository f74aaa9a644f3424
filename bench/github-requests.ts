/*
 * GitHub API requests of a whole pull-request cycle (open, plan, /apply, apply), with 1, 10 and 40
 * affected components: the count should be the same for all three, endpoint by endpoint.
 * Run: npx tsx bench/github-requests.ts
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { deliver, eventually } from "../test/helpers/deliver.js";
import { startGithubFake } from "../test/helpers/github-fake/index.js";
import { settled, startFlowBosun } from "../test/helpers/test-bosun.js";
import { applyComment, fakeRepositoryOfStacks, pullRequestOpened } from "./pull-request-fixture.js";

export interface CycleRequests {
  components: number;
  planRequests: number;
  applyRequests: number;
  total: number;
  /** From the pull request's delivery to the `/apply` comment's: how long the plans took. */
  applyAfterMs: number;
  /**
   * Check-run updates that only moved it from queued to in progress: sent when the first report
   * ran before the first plan started, which depends on timing, not on the number of components.
   */
  progressReports: number;
  /** "METHOD /path" with numbers, commit SHAs and the repository generalised → requests. */
  endpoints: Map<string, number>;
}

function endpointOf(requestPath: string): string {
  return requestPath
    .replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/R")
    .replace(/[0-9a-f]{40}/g, "SHA")
    .replace(/\/\d+(?=\/|$)/g, "/N");
}

async function cycle(stacks: number): Promise<CycleRequests> {
  const bosun = await startFlowBosun("pglite");
  const github = await startGithubFake();
  const repo = await fakeRepositoryOfStacks(github, stacks);
  try {
    const opened = performance.now();
    await deliver(bosun.url, "pull_request", pullRequestOpened());
    await eventually(
      async () => (repo.checkRun("bosun/dev")?.conclusion === "action_required" ? true : undefined),
      { timeoutMs: 300_000 },
    );
    await settled(bosun);
    const planRequests = repo.requests.length;
    const applyAfterMs = Math.round(performance.now() - opened);
    await deliver(bosun.url, "issue_comment", applyComment());
    await eventually(
      async () => (repo.checkRun("bosun/dev")?.conclusion === "success" ? true : undefined),
      { timeoutMs: 300_000 },
    );
    await settled(bosun);
    github.verify();
    const endpoints = new Map<string, number>();
    for (const request of repo.requests) {
      const endpoint = `${request.method} ${endpointOf(request.path)}`;
      endpoints.set(endpoint, (endpoints.get(endpoint) ?? 0) + 1);
    }
    return {
      components: stacks,
      planRequests,
      applyRequests: repo.requests.length - planRequests,
      total: repo.requests.length,
      applyAfterMs,
      progressReports: repo.checkRuns.flatMap((run) =>
        run.history
          .slice(1)
          .filter(
            (body, index) =>
              body.status === "in_progress" && run.history[index]?.status === "queued",
          ),
      ).length,
      endpoints,
    };
  } finally {
    await github.close();
    await bosun.close();
  }
}

/** A collaborator's permission is trusted this long (create-github-gateway.ts), then asked again. */
export const PERMISSION_TTL_MS = 60_000;
const PERMISSION_ENDPOINT = /^GET \/repos\/R\/collaborators\/[^/]+\/permission$/;

const PROGRESS_ENDPOINTS = /^PATCH \/repos\/R\/(check-runs|issues\/comments)\/N$/;

/**
 * Requests of `cycle` beyond those of `baseline`, leaving out those that follow timing rather than
 * the number of components: a permission re-check when the `/apply` came after the permission
 * cache's TTL, and the check-run and comment update of a queued → in-progress report.
 */
export function extraRequests(cycle: CycleRequests, baseline: CycleRequests): number {
  const progress = Math.max(0, cycle.progressReports - baseline.progressReports);
  let extra = 0;
  for (const [endpoint, count] of cycle.endpoints) {
    let beyond = count - (baseline.endpoints.get(endpoint) ?? 0);
    if (PERMISSION_ENDPOINT.test(endpoint) && cycle.applyAfterMs > PERMISSION_TTL_MS) beyond = 0;
    if (PROGRESS_ENDPOINTS.test(endpoint)) beyond -= progress;
    extra += Math.max(0, beyond);
  }
  return extra;
}

export async function benchGithubRequests(
  sizes: readonly number[] = [1, 10, 40],
): Promise<CycleRequests[]> {
  const results: CycleRequests[] = [];
  for (const size of sizes) results.push(await cycle(size));
  console.log(
    "components  plan+report  apply+report  total  /apply after  queued→in-progress reports  (GitHub API requests, token excluded)",
  );
  for (const r of results) {
    console.log(
      `${String(r.components).padStart(10)}  ${String(r.planRequests).padStart(11)}  ${String(r.applyRequests).padStart(12)}  ${String(r.total).padStart(5)}  ${`${(r.applyAfterMs / 1000).toFixed(1)} s`.padStart(11)}  ${String(r.progressReports).padStart(26)}`,
    );
  }
  const endpoints = [...new Set(results.flatMap((r) => [...r.endpoints.keys()]))].sort();
  const width = Math.max(...endpoints.map((endpoint) => endpoint.length));
  console.log(
    `\n${"endpoint".padEnd(width)}  ${results.map((r) => `${r.components} comp.`.padStart(8)).join("  ")}`,
  );
  for (const endpoint of endpoints) {
    const counts = results.map((r) => String(r.endpoints.get(endpoint) ?? 0).padStart(8));
    console.log(`${endpoint.padEnd(width)}  ${counts.join("  ")}`);
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchGithubRequests();
}
