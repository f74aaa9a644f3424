/*
 * Plans of 40 independent components, the stand-in engine taking 1 s per plan, on 1, 2 and 4
 * workers: wall time against the ideal (40 × 1 s / workers). What is measured is what an operator
 * runs: one `bosun start` process with BOSUN_WORKERS=N on PostgreSQL (here in this process, so the
 * fake GitHub can answer it), from the `pull_request` delivery to the check run that reports every
 * plan. Besides the wall time it prints the plan span (first plan job started to last ended), the
 * sum of the plan jobs' own durations, and the wall time against the one-worker run's sum shared
 * out (the engine's real cost per plan, its process starts included), so queue pickup, reporting
 * and a machine out of cores can be told apart.
 * Run: npx tsx bench/parallel-plans.ts   Target: wall within 15% of ideal.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { sql } from "drizzle-orm";
import { deliver, eventually } from "../test/helpers/deliver.js";
import { startGithubFake } from "../test/helpers/github-fake/index.js";
import { standInWith } from "../test/helpers/stand-in.js";
import { freePort, settled, startTestBosun } from "../test/helpers/test-bosun.js";
import { fakeRepositoryOfStacks, pullRequestOpened } from "./pull-request-fixture.js";

const PLAN_MS = 1000;

export interface ParallelPlanFigures {
  workers: number;
  components: number;
  wallMs: number;
  idealMs: number;
  overheadPercent: number;
  planSpanMs: number;
  planJobsSumMs: number;
}

async function planAll(
  workers: number,
  components: number,
  engine: string,
): Promise<ParallelPlanFigures> {
  const port = await freePort();
  const bosun = await startTestBosun("postgres", {
    port,
    env: {
      BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
      BOSUN_TOFU_BIN: engine,
      BOSUN_TERRAFORM_BIN: engine,
      BOSUN_WORKERS: String(workers),
    },
  });
  const github = await startGithubFake();
  const repo = await fakeRepositoryOfStacks(github, components);
  try {
    const started = performance.now();
    const { status } = await deliver(bosun.url, "pull_request", pullRequestOpened());
    if (status !== 200) throw new Error(`pull_request delivery answered ${status}`);
    await eventually(
      async () => (repo.checkRun("bosun/dev")?.conclusion === "action_required" ? true : undefined),
      { timeoutMs: 600_000, intervalMs: 20 },
    );
    const wallMs = performance.now() - started;
    await settled(bosun);
    github.verify();
    const result = await bosun.database.db.execute(sql`
      select count(*)::int as jobs,
        (extract(epoch from max(completed_on) - min(started_on)) * 1000)::float8 as span_ms,
        (extract(epoch from sum(completed_on - started_on)) * 1000)::float8 as sum_ms
      from pgboss.job where name = 'run-component' and state = 'completed'`);
    const [jobs] = result as unknown as { jobs: number; span_ms: number; sum_ms: number }[];
    if (jobs?.jobs !== components) {
      throw new Error(`${jobs?.jobs ?? 0} plan jobs completed, expected ${components}`);
    }
    const idealMs = (components * PLAN_MS) / workers;
    return {
      workers,
      components,
      wallMs: Math.round(wallMs),
      idealMs,
      overheadPercent: Math.round(((wallMs - idealMs) / idealMs) * 1000) / 10,
      planSpanMs: Math.round(jobs.span_ms),
      planJobsSumMs: Math.round(jobs.sum_ms),
    };
  } finally {
    await github.close();
    await bosun.close();
  }
}

export async function benchParallelPlans(
  workerCounts: readonly number[] = [1, 2, 4],
  components = 40,
): Promise<ParallelPlanFigures[]> {
  const engine = await standInWith({ STANDIN_DELAY_MS: String(PLAN_MS) });
  const results: ParallelPlanFigures[] = [];
  for (const workers of workerCounts) results.push(await planAll(workers, components, engine));
  // The plan jobs of the one-worker run, end to end: the engine's real cost per plan on this
  // machine (process starts of init, plan and show included), which 40 s / workers leaves out.
  const sequentialMs = results.find((r) => r.workers === 1)?.planJobsSumMs;
  console.log(
    "workers  wall ms  ideal ms  overhead  plan span ms  sum of plan jobs ms  sequential sum / workers",
  );
  for (const r of results) {
    const share = sequentialMs === undefined ? undefined : sequentialMs / r.workers;
    const versus =
      share === undefined
        ? "-"
        : `${Math.round(share)} ms, wall +${(((r.wallMs - share) / share) * 100).toFixed(1)}%`;
    console.log(
      `${String(r.workers).padStart(7)}  ${String(r.wallMs).padStart(7)}  ${String(r.idealMs).padStart(8)}  ${`${r.overheadPercent}%`.padStart(8)}  ${String(r.planSpanMs).padStart(12)}  ${String(r.planJobsSumMs).padStart(19)}  ${versus}`,
    );
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchParallelPlans();
}
