import { and, asc, count, desc, eq, exists, inArray, isNull, max, min, sql } from "drizzle-orm";
import { z } from "zod";
import { isTerminal } from "../domain/component-phase.js";
import { deriveRunStatus } from "../domain/run-status.js";
import type {
  ComponentDetail,
  DeltaCounts,
  PhaseEntry,
  RepositorySummary,
  RunComponentEntry,
  RunPageStore,
  RunRow,
  StateEntry,
} from "../services/run-page-port.js";
import { COMPONENT_PHASES, type ComponentPhase } from "../domain/component-phase.js";
import type { Db } from "./database.js";
import {
  components,
  environments,
  phaseLogLines,
  pullRequests,
  repositories,
  revisions,
  runComponents,
  runEvents,
  runPhases,
  runs,
  stacks,
} from "./schema/index.js";

/** The parts of a stored plan (run_components.plan_summary) the pages show. */
const StoredPlan = z.object({
  summary: z.object({
    counts: z.object({ add: z.number(), change: z.number(), destroy: z.number() }),
  }),
  planText: z.string().optional(),
});

/** The part of a run component's spec the pages show. */
const StoredSpec = z.object({
  dir: z.string(),
  dependsOn: z.array(z.object({ stack: z.string() })).optional(),
});

const ZERO: DeltaCounts = { add: 0, change: 0, destroy: 0 };

function addCounts(total: DeltaCounts, more: DeltaCounts | undefined): DeltaCounts {
  return more
    ? {
        add: total.add + more.add,
        change: total.change + more.change,
        destroy: total.destroy + more.destroy,
      }
    : total;
}

function readPlan(raw: unknown): z.infer<typeof StoredPlan> | undefined {
  const parsed = StoredPlan.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

function toSummary(row: {
  id: number;
  fullName: string;
  installationId: number;
  defaultBranch: string | null;
}): RepositorySummary {
  return { ...row, defaultBranch: row.defaultBranch ?? undefined };
}

export function createRunPageRepository(db: Db): RunPageStore {
  const repositoryColumns = {
    id: repositories.id,
    fullName: repositories.fullName,
    installationId: repositories.installationId,
    defaultBranch: repositories.defaultBranch,
  };

  /** Which components each run applied (a revision of that run exists). */
  const appliedOf = async (runIds: string[]) => {
    if (runIds.length === 0) return new Set<string>();
    const rows = await db
      .select({ runId: revisions.runId, componentId: revisions.componentId })
      .from(revisions)
      .where(inArray(revisions.runId, runIds));
    return new Set(rows.map((row) => `${row.runId}/${row.componentId}`));
  };

  return {
    async repository(repositoryId) {
      const [row] = await db
        .select(repositoryColumns)
        .from(repositories)
        .where(and(eq(repositories.id, repositoryId), isNull(repositories.removedAt)));
      return row && toSummary(row);
    },

    async repositoryByName(fullName) {
      const [row] = await db
        .select(repositoryColumns)
        .from(repositories)
        .where(
          and(
            sql`lower(${repositories.fullName}) = lower(${fullName})`,
            isNull(repositories.removedAt),
          ),
        );
      return row && toSummary(row);
    },

    async stacks(repositoryId) {
      const rows = await db
        .select({
          name: stacks.name,
          dir: stacks.dir,
          engine: stacks.engine,
          componentId: components.id,
          environment: environments.name,
          deployedRevisionId: components.deployedRevisionId,
        })
        .from(stacks)
        .leftJoin(components, eq(components.stackId, stacks.id))
        .leftJoin(environments, eq(environments.id, components.environmentId))
        .where(and(eq(stacks.repositoryId, repositoryId), isNull(stacks.removedAt)))
        .orderBy(asc(stacks.name), asc(environments.name));
      const byName = new Map<string, Awaited<ReturnType<RunPageStore["stacks"]>>[number]>();
      for (const row of rows) {
        const entry = byName.get(row.name) ?? {
          name: row.name,
          dir: row.dir,
          engine: row.engine,
          components: [],
        };
        if (row.componentId && row.environment) {
          entry.components.push({
            id: row.componentId,
            environment: row.environment,
            deployedRevisionId: row.deployedRevisionId ?? undefined,
          });
        }
        byName.set(row.name, entry);
      }
      return [...byName.values()];
    },

    async run(runId) {
      const [run] = await db
        .select({
          id: runs.id,
          kind: runs.kind,
          commitSha: runs.commitSha,
          trigger: runs.trigger,
          triggeredBy: runs.triggeredBy,
          confirmedBy: runs.confirmedBy,
          confirmedAt: runs.confirmedAt,
          engineVersion: runs.engineVersion,
          repeatsRunId: runs.repeatsRunId,
          pullRequestNumber: runs.pullRequestNumber,
          createdAt: runs.createdAt,
          environment: environments.name,
          baseRef: pullRequests.baseRef,
          repository: repositoryColumns,
        })
        .from(runs)
        .innerJoin(repositories, eq(repositories.id, runs.repositoryId))
        .innerJoin(environments, eq(environments.id, runs.environmentId))
        .leftJoin(
          pullRequests,
          and(
            eq(pullRequests.repositoryId, runs.repositoryId),
            eq(pullRequests.number, runs.pullRequestNumber),
          ),
        )
        .where(eq(runs.id, runId));
      if (!run) return undefined;
      const rows = await db
        .select({
          id: runComponents.id,
          componentId: runComponents.componentId,
          changeKind: runComponents.changeKind,
          phase: runComponents.phase,
          wave: runComponents.wave,
          held: runComponents.held,
          spec: runComponents.spec,
          planDigest: runComponents.planDigest,
          planSummary: runComponents.planSummary,
          failureReason: runComponents.failureReason,
          stack: stacks.name,
        })
        .from(runComponents)
        .innerJoin(components, eq(components.id, runComponents.componentId))
        .innerJoin(stacks, eq(stacks.id, components.stackId))
        .where(eq(runComponents.runId, runId))
        .orderBy(asc(runComponents.wave), asc(stacks.name));
      const phaseRows =
        rows.length === 0
          ? []
          : await db
              .select({
                id: runPhases.id,
                runComponentId: runPhases.runComponentId,
                phase: runPhases.phase,
                startedAt: runPhases.startedAt,
                finishedAt: runPhases.finishedAt,
                exitCode: runPhases.exitCode,
                error: runPhases.error,
                sandbox: runPhases.sandbox,
                // Qualified by hand: drizzle leaves columns unqualified inside a raw subquery.
                lineCount: sql<number>`(select count(*)::int from "phase_log_lines" where "phase_log_lines"."phase_id" = "run_phases"."id")`,
              })
              .from(runPhases)
              .where(
                inArray(
                  runPhases.runComponentId,
                  rows.map((row) => row.id),
                ),
              )
              .orderBy(asc(runPhases.startedAt));
      const eventRows = await db
        .select({
          runComponentId: runEvents.runComponentId,
          toState: runEvents.toState,
          cause: runEvents.cause,
          actor: runEvents.actor,
          at: runEvents.at,
        })
        .from(runEvents)
        .where(eq(runEvents.runId, runId))
        .orderBy(asc(runEvents.sequence));
      const statesOf = (runComponentId: string): StateEntry[] => {
        const own = eventRows.filter(
          (event) =>
            event.runComponentId === runComponentId &&
            (COMPONENT_PHASES as readonly string[]).includes(event.toState),
        );
        return own.map((event, index) => ({
          state: event.toState as ComponentPhase,
          at: event.at,
          until: own[index + 1]?.at,
          cause: event.cause,
          actor: event.actor,
        }));
      };
      const applied = await appliedOf([runId]);
      const entries: RunComponentEntry[] = rows.map((row) => {
        const spec = StoredSpec.safeParse(row.spec);
        const plan = readPlan(row.planSummary);
        const waits = row.phase === "DEFERRED" || row.phase === "BLOCKED";
        return {
          runComponentId: row.id,
          componentId: row.componentId,
          stack: row.stack,
          dir: spec.success ? spec.data.dir : "",
          changeKind: row.changeKind,
          phase: row.phase,
          wave: row.wave,
          held: row.held,
          waitingFor: waits && spec.success ? (spec.data.dependsOn ?? []).map((d) => d.stack) : [],
          planDigest: row.planDigest ?? undefined,
          counts: plan?.summary.counts,
          planText: plan?.planText,
          failureReason: row.failureReason ?? undefined,
          applied: applied.has(`${runId}/${row.componentId}`),
          phases: phaseRows
            .filter((phase) => phase.runComponentId === row.id)
            .map((phase): PhaseEntry => ({
              id: phase.id,
              phase: phase.phase,
              startedAt: phase.startedAt,
              finishedAt: phase.finishedAt ?? undefined,
              exitCode: phase.exitCode ?? undefined,
              error: phase.error ?? undefined,
              lineCount: Number(phase.lineCount),
              sandbox: phase.sandbox ?? undefined,
            })),
          states: statesOf(row.id),
        };
      });
      return {
        id: run.id,
        repository: toSummary(run.repository),
        environment: run.environment,
        kind: run.kind,
        status: deriveRunStatus(entries),
        finished: entries.every((entry) => isTerminal(entry.phase)),
        commitSha: run.commitSha,
        pullRequestNumber: run.pullRequestNumber ?? undefined,
        baseRef: run.baseRef ?? undefined,
        trigger: run.trigger,
        triggeredBy: run.triggeredBy,
        confirmedBy: run.confirmedBy ?? undefined,
        confirmedAt: run.confirmedAt ?? undefined,
        engineVersion: run.engineVersion ?? undefined,
        repeatsRunId: run.repeatsRunId ?? undefined,
        createdAt: run.createdAt,
        counts: entries.reduce((total, entry) => addCounts(total, entry.counts), ZERO),
        components: entries,
      };
    },

    async phaseLog(runId, phaseId) {
      const [phase] = await db
        .select({ id: runPhases.id, phase: runPhases.phase, stack: stacks.name })
        .from(runPhases)
        .innerJoin(runComponents, eq(runComponents.id, runPhases.runComponentId))
        .innerJoin(components, eq(components.id, runComponents.componentId))
        .innerJoin(stacks, eq(stacks.id, components.stackId))
        .where(and(eq(runPhases.id, phaseId), eq(runComponents.runId, runId)));
      if (!phase) return undefined;
      const lines = await db
        .select({
          at: phaseLogLines.loggedAt,
          stream: phaseLogLines.stream,
          line: phaseLogLines.line,
        })
        .from(phaseLogLines)
        .where(eq(phaseLogLines.phaseId, phaseId))
        .orderBy(asc(phaseLogLines.id));
      return { phaseId: phase.id, phase: phase.phase, stack: phase.stack, lines };
    },

    async runs(query) {
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
      const [{ total } = { total: 0 }] = await db
        .select({ total: count() })
        .from(runs)
        .where(where);
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
      const applied = await appliedOf(runIds);
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
            ZERO,
          ),
          engineVersion: run.engineVersion ?? undefined,
          commitSha: run.commitSha,
          triggeredBy: run.triggeredBy,
          trigger: run.trigger,
          createdAt: run.createdAt,
          durationMs:
            span?.first && end !== undefined ? Math.max(0, end - span.first.getTime()) : undefined,
        };
      });
      return { rows, total: Number(total), triggerers: triggerers.map((row) => row.login) };
    },

    async component(componentId) {
      const [row] = await db
        .select({
          id: components.id,
          stack: stacks.name,
          dir: stacks.dir,
          environment: environments.name,
          deployedRevisionId: components.deployedRevisionId,
          repository: repositoryColumns,
        })
        .from(components)
        .innerJoin(stacks, eq(stacks.id, components.stackId))
        .innerJoin(environments, eq(environments.id, components.environmentId))
        .innerJoin(repositories, eq(repositories.id, stacks.repositoryId))
        .where(eq(components.id, componentId));
      if (!row) return undefined;
      // Only the clear columns: sealed outputs and state bodies never leave the store here.
      const revisionRows = await db
        .select({
          id: revisions.id,
          runId: revisions.runId,
          commitSha: revisions.commitSha,
          planDigest: revisions.planDigest,
          outputs: revisions.outputs,
          startedAt: revisions.startedAt,
          finishedAt: revisions.finishedAt,
        })
        .from(revisions)
        .where(eq(revisions.componentId, componentId))
        .orderBy(desc(revisions.finishedAt), desc(revisions.id));
      const detail: ComponentDetail = {
        id: row.id,
        repository: toSummary(row.repository),
        stack: row.stack,
        environment: row.environment,
        dir: row.dir,
        revisions: revisionRows.map((revision) => ({
          ...revision,
          deployed: revision.id === row.deployedRevisionId,
        })),
      };
      return detail;
    },

    async linkRepeats(runIds, repeatsRunId) {
      if (runIds.length === 0) return;
      await db
        .update(runs)
        .set({ repeatsRunId })
        .where(inArray(runs.id, [...runIds]));
    },
  };
}
