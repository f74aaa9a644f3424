import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { COMPONENT_PHASES } from "../domain/component-phase.js";
import { deriveRunStatus } from "../domain/run-status.js";
import type { MetricsSnapshot, ReadMetricsSnapshot } from "../services/metrics-port.js";
import type { Database, Db } from "./database.js";

const RunGroup = z.object({
  kind: z.string(),
  phases: z.array(z.enum(COMPONENT_PHASES)),
  applied: z.boolean(),
  count: z.coerce.number(),
});
const QueueRow = z.object({
  queue: z.string(),
  state: z.string(),
  count: z.coerce.number(),
  oldest: z.coerce.number(),
});
const ConnectionRow = z.object({
  application: z.string(),
  state: z.string(),
  count: z.coerce.number(),
});

/**
 * The counts /metrics reads from the database when scraped, so that every process reports the
 * same and nothing is lost when one restarts. Each is one aggregate: runs are grouped by kind,
 * the set of their components' phases and whether anything applied, which is all a run's status
 * derives from (src/domain/run-status.ts); jobs only in the queue's live states; connections from
 * PostgreSQL's own view.
 */
export function createMetricsSnapshotReader(database: Database): ReadMetricsSnapshot {
  const { db } = database;
  return async () => {
    const postgres = database.target.kind === "postgres";
    const [runs, queues, connections] = await Promise.all([
      readRuns(db),
      readQueues(db),
      postgres ? readConnections(db) : Promise.resolve(undefined),
    ]);
    return { runs, queues, connections };
  };
}

async function readRuns(db: Db): Promise<MetricsSnapshot["runs"]> {
  const groups = z.array(RunGroup).parse(
    await rows(
      db,
      sql`select kind, phases, applied, count(*)::int as count from (
            select r.kind::text as kind,
              coalesce(array_agg(distinct rc.phase::text) filter (where rc.phase is not null), '{}') as phases,
              exists (select 1 from revisions v where v.run_id = r.id) as applied
            from runs r left join run_components rc on rc.run_id = r.id
            group by r.id
          ) per_run group by kind, phases, applied`,
    ),
  );
  const counts = new Map<string, { kind: string; status: string; count: number }>();
  for (const group of groups) {
    const status = deriveRunStatus(
      group.phases.map((phase) => ({ phase, applied: group.applied })),
    );
    const key = `${group.kind}/${status}`;
    const entry = counts.get(key) ?? { kind: group.kind, status, count: 0 };
    entry.count += group.count;
    counts.set(key, entry);
  }
  return [...counts.values()];
}

/**
 * Jobs not yet finished, per queue: `deferred` ones wait for their start time (a notification's
 * next retry), so the age of the others is how long they have been due (waiting) or running.
 */
async function readQueues(db: Db): Promise<MetricsSnapshot["queues"]> {
  const found = z.array(QueueRow).parse(
    await rows(
      db,
      sql`select name as queue, state, count(*)::int as count, coalesce(max(age), 0)::float8 as oldest
          from (
            select name,
              case when state::text <> 'active' and start_after > now() then 'deferred'
                   else state::text end as state,
              case when state::text = 'active' then extract(epoch from now() - started_on)
                   when start_after > now() then 0
                   else extract(epoch from now() - start_after) end as age
            from pgboss.job where state < 'completed'
          ) live group by name, state`,
    ),
  );
  return found.map((row) => ({
    queue: row.queue,
    state: row.state,
    count: row.count,
    oldestSeconds: Math.max(0, row.oldest),
  }));
}

async function readConnections(db: Db): Promise<MetricsSnapshot["connections"]> {
  return z.array(ConnectionRow).parse(
    await rows(
      db,
      sql`select application_name as application, coalesce(state, 'unknown') as state, count(*)::int as count
          from pg_stat_activity
          where datname = current_database() and application_name in ('bosun', 'pgboss')
          group by application_name, state`,
    ),
  );
}

/** postgres.js answers the rows themselves, PGlite an object holding them. */
async function rows(db: Db, query: SQL): Promise<unknown[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result;
  return (result as { rows: unknown[] }).rows;
}
