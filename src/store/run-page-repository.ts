import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { ComponentDetail, RunPageStore } from "../services/run-page-port.js";
import type { Db } from "./database.js";
import { listRuns } from "./list-runs.js";
import { readRunDetail } from "./read-run-detail.js";
import { readStackDetail } from "./read-stack-detail.js";
import { repositoryColumns, toSummary } from "./run-page-rows.js";
import {
  components,
  environments,
  phaseLogLines,
  repositories,
  revisions,
  runComponents,
  runPhases,
  stacks,
} from "./schema/index.js";

export function createRunPageRepository(db: Db): RunPageStore {
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

    stack: (repositoryId, name) => readStackDetail(db, repositoryId, name),

    run: (runId) => readRunDetail(db, runId),

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

    runs: (query) => listRuns(db, query),

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
  };
}
