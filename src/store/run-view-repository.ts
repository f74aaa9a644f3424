import { and, asc, desc, eq, inArray, isNotNull } from "drizzle-orm";
import type { ComponentSpec } from "../domain/component-spec.js";
import type {
  RunComponentView,
  RunView,
  RunViewStore,
  StepView,
} from "../services/run-view-port.js";
import type { Db } from "./database.js";
import {
  changesets,
  components,
  environments,
  repositories,
  revisions,
  runComponents,
  runPhases,
  runs,
  stacks,
} from "./schema/index.js";

export function createRunViewRepository(db: Db): RunViewStore {
  return {
    async runView(runId) {
      return loadRunView(db, runId);
    },

    async runOfComponent(runComponentId) {
      const [row] = await db
        .select({ runId: runComponents.runId })
        .from(runComponents)
        .where(eq(runComponents.id, runComponentId));
      return row?.runId;
    },

    async runByCheckRun(repositoryId, checkRunId) {
      const [row] = await db
        .select({ id: runs.id })
        .from(runs)
        .where(and(eq(runs.repositoryId, repositoryId), eq(runs.checkRunId, checkRunId)));
      return row ? loadRunView(db, row.id) : undefined;
    },

    async runInRepository(repositoryId, runId) {
      const view = await loadRunView(db, runId);
      return view?.repositoryId === repositoryId ? view : undefined;
    },

    async latestRunsOfPullRequest(repositoryId, number) {
      const open = await db
        .select({ id: changesets.id })
        .from(changesets)
        .where(
          and(
            eq(changesets.repositoryId, repositoryId),
            eq(changesets.pullRequestNumber, number),
            eq(changesets.status, "open"),
          ),
        );
      const latestIds: string[] = [];
      for (const changeset of open) {
        const [latest] = await db
          .select({ id: runs.id })
          .from(runs)
          .where(eq(runs.changesetId, changeset.id))
          .orderBy(desc(runs.createdAt), desc(runs.id))
          .limit(1);
        if (latest) latestIds.push(latest.id);
      }
      const views = await loadRunViews(db, latestIds);
      return views.sort((a, b) => a.environment.localeCompare(b.environment));
    },

    async pullRequestRuns(repositoryId, number) {
      const rows = await db
        .selectDistinctOn([runs.changesetId], { id: runs.id, createdAt: runs.createdAt })
        .from(runs)
        .innerJoin(changesets, eq(changesets.id, runs.changesetId))
        .where(
          and(eq(changesets.repositoryId, repositoryId), eq(changesets.pullRequestNumber, number)),
        )
        .orderBy(runs.changesetId, desc(runs.createdAt), desc(runs.id));
      rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
      return loadRunViews(
        db,
        rows.map((row) => row.id),
      );
    },

    async trackedRunsOfPullRequest(repositoryId, number) {
      const rows = await db
        .select({ id: runs.id })
        .from(runs)
        .where(
          and(
            eq(runs.repositoryId, repositoryId),
            eq(runs.pullRequestNumber, number),
            eq(runs.kind, "tracked"),
          ),
        )
        .orderBy(desc(runs.createdAt), desc(runs.id));
      return loadRunViews(
        db,
        rows.map((row) => row.id),
      );
    },

    async runsAwaitingOn(componentId, exceptRunId) {
      const rows = await db
        .selectDistinct({ runId: runComponents.runId })
        .from(runComponents)
        .where(
          and(eq(runComponents.componentId, componentId), eq(runComponents.phase, "UNCONFIRMED")),
        );
      return rows.map((row) => row.runId).filter((runId) => runId !== exceptRunId);
    },
  };
}

async function loadRunViews(db: Db, runIds: readonly string[]): Promise<RunView[]> {
  const views: RunView[] = [];
  for (const runId of runIds) {
    const view = await loadRunView(db, runId);
    if (view) views.push(view);
  }
  return views;
}

async function loadRunView(db: Db, runId: string): Promise<RunView | undefined> {
  const [run] = await db
    .select({
      id: runs.id,
      kind: runs.kind,
      commitSha: runs.commitSha,
      trigger: runs.trigger,
      triggeredBy: runs.triggeredBy,
      runtimeConfig: runs.runtimeConfig,
      engineVersion: runs.engineVersion,
      triggeredByTokenId: runs.triggeredByTokenId,
      changesetId: runs.changesetId,
      pullRequestNumber: runs.pullRequestNumber,
      checkRunId: runs.checkRunId,
      confirmedBy: runs.confirmedBy,
      deploymentId: runs.deploymentId,
      deploymentState: runs.deploymentState,
      reportDigest: runs.reportDigest,
      scanFindings: runs.scanFindings,
      repositoryId: runs.repositoryId,
      repositoryFullName: repositories.fullName,
      defaultBranch: repositories.defaultBranch,
      installationId: repositories.installationId,
      environment: environments.name,
      production: environments.production,
      baseHeads: changesets.baseHeads,
    })
    .from(runs)
    .innerJoin(repositories, eq(repositories.id, runs.repositoryId))
    .innerJoin(environments, eq(environments.id, runs.environmentId))
    .leftJoin(changesets, eq(changesets.id, runs.changesetId))
    .where(eq(runs.id, runId));
  if (!run) return undefined;
  const rows = await db
    .select({
      id: runComponents.id,
      componentId: runComponents.componentId,
      changeKind: runComponents.changeKind,
      phase: runComponents.phase,
      spec: runComponents.spec,
      planDigest: runComponents.planDigest,
      planSummary: runComponents.planSummary,
      failureReason: runComponents.failureReason,
      wave: runComponents.wave,
      stack: stacks.name,
    })
    .from(runComponents)
    .innerJoin(components, eq(components.id, runComponents.componentId))
    .innerJoin(stacks, eq(stacks.id, components.stackId))
    .where(eq(runComponents.runId, runId))
    .orderBy(stacks.name);
  const applied = await db
    .select({ componentId: revisions.componentId })
    .from(revisions)
    .where(and(eq(revisions.runId, runId), isNotNull(revisions.id)));
  const appliedIds = new Set(applied.map((row) => row.componentId));
  const stepRows =
    rows.length === 0
      ? []
      : await db
          .select({
            runComponentId: runPhases.runComponentId,
            name: runPhases.step,
            hook: runPhases.stepHook,
            exitCode: runPhases.exitCode,
            error: runPhases.error,
            summary: runPhases.stepSummary,
          })
          .from(runPhases)
          .where(
            and(
              inArray(
                runPhases.runComponentId,
                rows.map((row) => row.id),
              ),
              isNotNull(runPhases.step),
            ),
          )
          .orderBy(asc(runPhases.startedAt));
  const stepsOf = (runComponentId: string): StepView[] =>
    stepRows.flatMap((step) =>
      step.runComponentId === runComponentId && step.name !== null && step.hook !== null
        ? [
            {
              name: step.name,
              hook: step.hook,
              exitCode: step.exitCode ?? undefined,
              error: step.error ?? undefined,
              summary: step.summary ?? undefined,
            },
          ]
        : [],
    );
  const componentViews: RunComponentView[] = rows.map((row) => ({
    runComponentId: row.id,
    componentId: row.componentId,
    stack: row.stack,
    changeKind: row.changeKind,
    phase: row.phase,
    spec: row.spec as ComponentSpec,
    planDigest: row.planDigest ?? undefined,
    plan: (row.planSummary as RunComponentView["plan"]) ?? undefined,
    failureReason: row.failureReason ?? undefined,
    applied: appliedIds.has(row.componentId),
    wave: row.wave,
    steps: stepsOf(row.id),
  }));
  return {
    runId: run.id,
    kind: run.kind,
    commitSha: run.commitSha,
    trigger: run.trigger,
    triggeredBy: run.triggeredBy,
    machineUser: run.triggeredByTokenId !== null,
    engineVersion: run.engineVersion ?? undefined,
    runtimeConfig: run.runtimeConfig ?? undefined,
    changesetId: run.changesetId ?? undefined,
    pullRequestNumber: run.pullRequestNumber ?? undefined,
    checkRunId: run.checkRunId ?? undefined,
    confirmedBy: run.confirmedBy ?? undefined,
    deploymentId: run.deploymentId ?? undefined,
    deploymentState: run.deploymentState ?? undefined,
    reportDigest: run.reportDigest ?? undefined,
    scanFindings: run.scanFindings,
    repositoryId: run.repositoryId,
    repositoryFullName: run.repositoryFullName,
    defaultBranch: run.defaultBranch ?? undefined,
    installationId: run.installationId,
    environment: run.environment,
    production: run.production,
    baseHeads: run.baseHeads ?? {},
    components: componentViews,
  };
}
