import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import { deriveRunStatus } from "../domain/run-status.js";
import type { StackDetail, StackEnvironmentEntry } from "../services/run-page-port.js";
import type { Db } from "./database.js";
import { appliedOf } from "./run-page-rows.js";
import {
  components,
  environments,
  revisions,
  runComponents,
  runs,
  stacks,
} from "./schema/index.js";

/**
 * A stack as its page shows it: each environment Bosun has a component for, with its deployed
 * revision, the newest run that includes it (its status derived from all of that run's components,
 * as on the run page) and the environment's last drift check.
 */
export async function readStackDetail(
  db: Db,
  repositoryId: number,
  name: string,
): Promise<StackDetail | undefined> {
  const [stack] = await db
    .select({ id: stacks.id, name: stacks.name, dir: stacks.dir, engine: stacks.engine })
    .from(stacks)
    .where(
      and(eq(stacks.repositoryId, repositoryId), eq(stacks.name, name), isNull(stacks.removedAt)),
    );
  if (!stack) return undefined;
  const rows = await db
    .select({
      componentId: components.id,
      environment: environments.name,
      deployedRevisionId: components.deployedRevisionId,
      drifted: environments.drifted,
      driftCheckedAt: environments.driftCheckedAt,
      driftRunId: environments.driftRunId,
    })
    .from(components)
    .innerJoin(environments, eq(environments.id, components.environmentId))
    .where(eq(components.stackId, stack.id))
    .orderBy(asc(environments.name));
  const componentIds = rows.map((row) => row.componentId);
  const revisionIds = rows.flatMap((row) =>
    row.deployedRevisionId ? [row.deployedRevisionId] : [],
  );
  const deployed =
    revisionIds.length === 0
      ? []
      : await db
          .select({
            id: revisions.id,
            runId: revisions.runId,
            commitSha: revisions.commitSha,
            at: revisions.finishedAt,
            confirmedBy: runs.confirmedBy,
            triggeredBy: runs.triggeredBy,
          })
          .from(revisions)
          .innerJoin(runs, eq(runs.id, revisions.runId))
          .where(inArray(revisions.id, revisionIds));
  const lastRuns =
    componentIds.length === 0
      ? []
      : await db
          .selectDistinctOn([runComponents.componentId], {
            componentId: runComponents.componentId,
            id: runs.id,
            kind: runs.kind,
            createdAt: runs.createdAt,
          })
          .from(runComponents)
          .innerJoin(runs, eq(runs.id, runComponents.runId))
          .where(inArray(runComponents.componentId, componentIds))
          .orderBy(runComponents.componentId, desc(runs.createdAt), desc(runs.id));
  const lastRunIds = [...new Set(lastRuns.map((run) => run.id))];
  const phases =
    lastRunIds.length === 0
      ? []
      : await db
          .select({
            runId: runComponents.runId,
            componentId: runComponents.componentId,
            phase: runComponents.phase,
          })
          .from(runComponents)
          .where(inArray(runComponents.runId, lastRunIds));
  const applied = await appliedOf(db, lastRunIds);
  const statusOf = (runId: string) =>
    deriveRunStatus(
      phases
        .filter((row) => row.runId === runId)
        .map((row) => ({
          phase: row.phase,
          applied: applied.has(`${runId}/${row.componentId}`),
        })),
    );

  return {
    name: stack.name,
    dir: stack.dir,
    engine: stack.engine,
    environments: rows.map((row): StackEnvironmentEntry => {
      const revision = deployed.find((candidate) => candidate.id === row.deployedRevisionId);
      const lastRun = lastRuns.find((run) => run.componentId === row.componentId);
      return {
        componentId: row.componentId,
        environment: row.environment,
        deployed: revision && {
          runId: revision.runId,
          commitSha: revision.commitSha,
          at: revision.at,
          // Who approved the apply (a person, or autodeploy); a run records it on confirming,
          // so the column is only empty for a run never confirmed, where who started it stands in.
          by: revision.confirmedBy ?? revision.triggeredBy,
        },
        lastRun: lastRun && {
          id: lastRun.id,
          kind: lastRun.kind,
          status: statusOf(lastRun.id),
          createdAt: lastRun.createdAt,
        },
        drift:
          row.driftCheckedAt && row.drifted !== null
            ? {
                drifted: row.drifted,
                checkedAt: row.driftCheckedAt,
                runId: row.driftRunId ?? undefined,
              }
            : undefined,
      };
    }),
  };
}
