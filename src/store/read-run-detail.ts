import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { RuntimeConfig } from "../config/runtime-config.js";
import { COMPONENT_PHASES, isTerminal, type ComponentPhase } from "../domain/component-phase.js";
import { deriveRunStatus } from "../domain/run-status.js";
import type {
  PhaseEntry,
  RunComponentEntry,
  RunDetail,
  StateEntry,
} from "../services/run-page-port.js";
import type { Db } from "./database.js";
import { readRunNotifications } from "./read-run-notifications.js";
import {
  addCounts,
  appliedOf,
  readPlan,
  repositoryColumns,
  StoredSpec,
  toSummary,
  ZERO_COUNTS,
} from "./run-page-rows.js";
import {
  components,
  environments,
  pullRequests,
  repositories,
  runComponents,
  runEvents,
  runPhases,
  runs,
  stacks,
} from "./schema/index.js";

/**
 * One run as its page shows it: the run, each component with its plan counts, phases (with their
 * log's line count) and the states it went through, and the status derived from them.
 */
export async function readRunDetail(db: Db, runId: string): Promise<RunDetail | undefined> {
  const [run] = await db
    .select({
      id: runs.id,
      kind: runs.kind,
      commitSha: runs.commitSha,
      trigger: runs.trigger,
      triggeredBy: runs.triggeredBy,
      triggeredByTokenId: runs.triggeredByTokenId,
      runtimeConfig: runs.runtimeConfig,
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
            step: runPhases.step,
            stepHook: runPhases.stepHook,
            stepSummary: runPhases.stepSummary,
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
  const applied = await appliedOf(db, [runId]);
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
          step:
            phase.step === null || phase.stepHook === null
              ? undefined
              : {
                  name: phase.step,
                  hook: phase.stepHook,
                  summary: phase.stepSummary ?? undefined,
                },
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
    machineUser: run.triggeredByTokenId !== null,
    runtimeConfig: readRuntimeConfig(run.runtimeConfig),
    confirmedBy: run.confirmedBy ?? undefined,
    confirmedAt: run.confirmedAt ?? undefined,
    engineVersion: run.engineVersion ?? undefined,
    repeatsRunId: run.repeatsRunId ?? undefined,
    createdAt: run.createdAt,
    counts: entries.reduce((total, entry) => addCounts(total, entry.counts), ZERO_COUNTS),
    components: entries,
    notifications: await readRunNotifications(db, runId),
  };
}

/** A stored runtime config, written through the same schema; an empty one is no runtime config. */
function readRuntimeConfig(stored: Record<string, unknown> | null): RuntimeConfig | undefined {
  if (stored === null || Object.keys(stored).length === 0) return undefined;
  const parsed = RuntimeConfig.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}
