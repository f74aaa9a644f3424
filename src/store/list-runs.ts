import { and, asc, count, desc, eq, exists, inArray, max, min, sql } from "drizzle-orm";
import { isTerminal } from "../domain/component-phase.js";
import { deriveRunStatus } from "../domain/run-status.js";
import type { RunPageResult, RunQuery, RunRow } from "../services/run-page-port.js";
import type { Db } from "./database.js";
import { addCounts, appliedOf, readPlan, ZERO_COUNTS } from "./run-page-rows.js";
import {
  components,
  environments,
  runComponents,
  runPhases,
  runs,
  stacks,
} from "./schema/index.js";

/**
 * A page of a repository's runs, newest first, filtered by stack and by who triggered them: each
 * with its status, stacks, summed plan counts and how long its phases took (until now while one
 * is still open); with the total and everyone who triggered a run, for the filters.
 */
export async function listRuns(db: Db, query: RunQuery): Promise<RunPageResult> {
  const inStack = query.stack
    ? exists(
        db
          .select({ one: sql`1` })
          .from(runComponents)
          .innerJoin(components, eq(components.id, runComponents.componentId))
          .innerJoin(stacks, eq(stacks.id, components.stackId))
          .where(and(eq(runComponents.runId, runs.id), eq(stacks.name, query.stack))),
      )
    : undefined;
  const inRepository = and(eq(runs.repositoryId, query.repositoryId), inStack);
  const where = and(
    inRepository,
    query.triggeredBy ? eq(runs.triggeredBy, query.triggeredBy) : undefined,
  );
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(runs).where(where);
  const triggerers = await db
    .selectDistinct({ login: runs.triggeredBy })
    .from(runs)
    .where(inRepository)
    .orderBy(asc(runs.triggeredBy));
  const page = await db
    .select({
      id: runs.id,
      kind: runs.kind,
      commitSha: runs.commitSha,
      trigger: runs.trigger,
      triggeredBy: runs.triggeredBy,
      triggeredByTokenId: runs.triggeredByTokenId,
      engineVersion: runs.engineVersion,
      createdAt: runs.createdAt,
      environment: environments.name,
    })
    .from(runs)
    .innerJoin(environments, eq(environments.id, runs.environmentId))
    .where(where)
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(query.perPage)
    .offset((query.page - 1) * query.perPage);
  const runIds = page.map((row) => row.id);
  const componentRows =
    runIds.length === 0
      ? []
      : await db
          .select({
            runId: runComponents.runId,
            componentId: runComponents.componentId,
            phase: runComponents.phase,
            planSummary: runComponents.planSummary,
            stack: stacks.name,
          })
          .from(runComponents)
          .innerJoin(components, eq(components.id, runComponents.componentId))
          .innerJoin(stacks, eq(stacks.id, components.stackId))
          .where(inArray(runComponents.runId, runIds))
          .orderBy(asc(stacks.name));
  const spans =
    runIds.length === 0
      ? []
      : await db
          .select({
            runId: runComponents.runId,
            first: min(runPhases.startedAt),
            last: max(runPhases.finishedAt),
            open: sql<number>`count(*) filter (where ${runPhases.finishedAt} is null)::int`,
          })
          .from(runPhases)
          .innerJoin(runComponents, eq(runComponents.id, runPhases.runComponentId))
          .where(inArray(runComponents.runId, runIds))
          .groupBy(runComponents.runId);
  const applied = await appliedOf(db, runIds);
  const now = Date.now();
  const rows: RunRow[] = page.map((run) => {
    const own = componentRows.filter((row) => row.runId === run.id);
    const entries = own.map((row) => ({
      phase: row.phase,
      applied: applied.has(`${run.id}/${row.componentId}`),
    }));
    const span = spans.find((s) => s.runId === run.id);
    const finished = entries.every((entry) => isTerminal(entry.phase));
    const end = !finished || Number(span?.open ?? 0) > 0 ? now : span?.last?.getTime();
    return {
      id: run.id,
      environment: run.environment,
      kind: run.kind,
      status: deriveRunStatus(entries),
      finished,
      stacks: [...new Set(own.map((row) => row.stack))],
      counts: own.reduce(
        (total, row) => addCounts(total, readPlan(row.planSummary)?.summary.counts),
        ZERO_COUNTS,
      ),
      engineVersion: run.engineVersion ?? undefined,
      commitSha: run.commitSha,
      triggeredBy: run.triggeredBy,
      machineUser: run.triggeredByTokenId !== null,
      trigger: run.trigger,
      createdAt: run.createdAt,
      durationMs:
        span?.first && end !== undefined ? Math.max(0, end - span.first.getTime()) : undefined,
    };
  });
  return { rows, total: Number(total), triggerers: triggerers.map((row) => row.login) };
}
