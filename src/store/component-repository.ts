import { and, eq, inArray, notInArray } from "drizzle-orm";
import { TERMINAL_PHASES } from "../domain/component-phase.js";
import type { ComponentStore } from "../services/component-port.js";
import type { Db } from "./database.js";
import {
  components,
  environments,
  revisions,
  runComponents,
  runs,
  stacks,
} from "./schema/index.js";

export function createComponentRepository(db: Db): ComponentStore {
  return {
    async ensureComponents(repositoryId, wanted) {
      const ids = new Map<string, string>();
      for (const item of wanted) {
        const [environment] = await db
          .insert(environments)
          .values({ repositoryId, name: item.environment, production: item.production })
          .onConflictDoUpdate({
            target: [environments.repositoryId, environments.name],
            set: { production: item.production },
          })
          .returning({ id: environments.id });
        const [stack] = await db
          .insert(stacks)
          .values({ repositoryId, name: item.stack, dir: item.dir, engine: item.engine })
          .onConflictDoUpdate({
            target: [stacks.repositoryId, stacks.name],
            set: { dir: item.dir, engine: item.engine, removedAt: null },
          })
          .returning({ id: stacks.id });
        const [component] = await db
          .insert(components)
          .values({ stackId: stack!.id, environmentId: environment!.id })
          .onConflictDoUpdate({
            target: [components.stackId, components.environmentId],
            set: { stackId: stack!.id },
          })
          .returning({ id: components.id });
        ids.set(`${item.stack}@${item.environment}`, component!.id);
      }
      return ids;
    },

    async deployedHeads(componentIds) {
      if (componentIds.length === 0) return {};
      const rows = await db
        .select({ id: components.id, head: components.deployedRevisionId })
        .from(components)
        .where(inArray(components.id, [...componentIds]));
      return Object.fromEntries(rows.map((row) => [row.id, row.head]));
    },

    async deployedCommit(componentId) {
      const [row] = await db
        .select({ commitSha: revisions.commitSha })
        .from(components)
        .innerJoin(revisions, eq(revisions.id, components.deployedRevisionId))
        .where(eq(components.id, componentId));
      return row?.commitSha;
    },

    async withOpenTrackedRuns(componentIds) {
      if (componentIds.length === 0) return [];
      const rows = await db
        .selectDistinct({ componentId: runComponents.componentId })
        .from(runComponents)
        .innerJoin(runs, eq(runs.id, runComponents.runId))
        .where(
          and(
            eq(runs.kind, "tracked"),
            inArray(runComponents.componentId, [...componentIds]),
            notInArray(runComponents.phase, [...TERMINAL_PHASES]),
          ),
        );
      return rows.map((row) => row.componentId);
    },
  };
}
