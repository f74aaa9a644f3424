import { and, asc, eq, inArray, isNotNull, isNull, notInArray, or, sql } from "drizzle-orm";
import { TERMINAL_PHASES } from "../domain/component-phase.js";
import type { ComponentSpec } from "../domain/component-spec.js";
import type { DriftState, DriftStore } from "../services/drift-port.js";
import type { Db } from "./database.js";
import {
  components,
  environments,
  installations,
  repositories,
  revisions,
  runComponents,
  runs,
  stacks,
} from "./schema/index.js";

const driftState = {
  environmentId: environments.id,
  drifted: environments.drifted,
  runId: environments.driftRunId,
  checkedAt: environments.driftCheckedAt,
  issueNumber: environments.driftIssueNumber,
  reconcile: environments.driftReconcile,
};

function stateOf(row: {
  environmentId: string;
  drifted: boolean | null;
  runId: string | null;
  checkedAt: Date | null;
  issueNumber: number | null;
  reconcile: boolean;
}): DriftState {
  return {
    environmentId: row.environmentId,
    drifted: row.drifted ?? undefined,
    runId: row.runId ?? undefined,
    checkedAt: row.checkedAt ?? undefined,
    issueNumber: row.issueNumber ?? undefined,
    reconcile: row.reconcile,
  };
}

export function createDriftRepository(db: Db): DriftStore {
  return {
    async recordDriftSettings(repositoryId, settings) {
      await db.transaction(async (tx) => {
        for (const environment of settings) {
          const drift = {
            driftSchedule: environment.schedule ?? null,
            driftReconcile: environment.reconcile,
          };
          await tx
            .insert(environments)
            .values({
              repositoryId,
              name: environment.environment,
              production: environment.production,
              ...drift,
            })
            .onConflictDoUpdate({
              target: [environments.repositoryId, environments.name],
              set: drift,
            });
        }
        await tx
          .update(environments)
          .set({ driftSchedule: null, driftReconcile: false })
          .where(
            and(
              eq(environments.repositoryId, repositoryId),
              settings.length > 0
                ? notInArray(
                    environments.name,
                    settings.map((environment) => environment.environment),
                  )
                : sql`true`,
            ),
          );
      });
    },

    async driftCandidates(withDefault) {
      const deployed = db
        .select({ id: components.id })
        .from(components)
        .where(
          and(
            eq(components.environmentId, environments.id),
            isNotNull(components.deployedRevisionId),
          ),
        );
      const rows = await db
        .select({
          environmentId: environments.id,
          environment: environments.name,
          production: environments.production,
          repositoryId: repositories.id,
          repositoryFullName: repositories.fullName,
          installationId: repositories.installationId,
          defaultBranch: repositories.defaultBranch,
          schedule: environments.driftSchedule,
          nextAt: environments.driftNextAt,
        })
        .from(environments)
        .innerJoin(repositories, eq(repositories.id, environments.repositoryId))
        .innerJoin(installations, eq(installations.id, repositories.installationId))
        .where(
          and(
            isNull(repositories.removedAt),
            isNull(installations.suspendedAt),
            isNull(installations.deletedAt),
            withDefault ? sql`true` : isNotNull(environments.driftSchedule),
            sql`exists (${deployed})`,
          ),
        )
        .orderBy(asc(environments.driftNextAt), asc(environments.id));
      return rows.map((row) => ({
        ...row,
        defaultBranch: row.defaultBranch ?? undefined,
        schedule: row.schedule ?? undefined,
        nextAt: row.nextAt ?? undefined,
      }));
    },

    async scheduleDriftCheck(environmentId, expected, nextAt) {
      const moved = await db
        .update(environments)
        .set({ driftNextAt: nextAt })
        .where(
          and(
            eq(environments.id, environmentId),
            expected === undefined
              ? isNull(environments.driftNextAt)
              : eq(environments.driftNextAt, expected),
          ),
        )
        .returning({ id: environments.id });
      return moved.length > 0;
    },

    async claimDriftCheck(environmentId, expected, nextAt) {
      // One statement: the compare-and-set on the time and the checks that nothing else of the
      // environment runs, so two ticks (or two processes) start one check at most.
      const busy = db
        .select({ id: runComponents.id })
        .from(runComponents)
        .innerJoin(runs, eq(runs.id, runComponents.runId))
        .where(
          and(
            eq(runs.environmentId, environments.id),
            or(
              and(eq(runs.kind, "drift"), notInArray(runComponents.phase, [...TERMINAL_PHASES])),
              inArray(runComponents.phase, ["CONFIRMED", "APPLYING"]),
            ),
          ),
        );
      const claimed = await db
        .update(environments)
        .set({ driftNextAt: nextAt })
        .where(
          and(
            eq(environments.id, environmentId),
            eq(environments.driftNextAt, expected),
            sql`not exists (${busy})`,
          ),
        )
        .returning({ id: environments.id });
      return claimed.length > 0;
    },

    async deployedComponents(environmentId) {
      const rows = await db
        .select({
          componentId: components.id,
          stack: stacks.name,
          commitSha: revisions.commitSha,
          inputs: revisions.inputs,
          spec: runComponents.spec,
          appliedAt: revisions.finishedAt,
        })
        .from(components)
        .innerJoin(stacks, eq(stacks.id, components.stackId))
        .innerJoin(revisions, eq(revisions.id, components.deployedRevisionId))
        .innerJoin(
          runComponents,
          and(
            eq(runComponents.runId, revisions.runId),
            eq(runComponents.componentId, revisions.componentId),
          ),
        )
        .where(eq(components.environmentId, environmentId))
        .orderBy(asc(stacks.name));
      return rows
        .filter((row) => (row.spec as ComponentSpec).destroy !== true)
        .map((row) => ({
          componentId: row.componentId,
          stack: row.stack,
          revision: {
            commitSha: row.commitSha,
            inputs: row.inputs,
            spec: row.spec as ComponentSpec,
          },
          appliedAt: row.appliedAt,
        }));
    },

    async recordDriftOutcome(runId, drifted, checkedAt) {
      const ofRun = db
        .select({ environmentId: runs.environmentId })
        .from(runs)
        .where(eq(runs.id, runId));
      if (drifted === undefined) {
        await db
          .update(environments)
          .set({ driftCheckedAt: checkedAt })
          .where(eq(environments.id, sql`(${ofRun})`));
        return undefined;
      }
      const [row] = await db
        .update(environments)
        .set({ drifted, driftCheckedAt: checkedAt, driftRunId: runId })
        .where(
          and(
            eq(environments.id, sql`(${ofRun})`),
            sql`${environments.driftRunId} is distinct from ${runId}`,
          ),
        )
        .returning(driftState);
      return row && stateOf(row);
    },

    async driftStateOfRun(runId) {
      const [row] = await db
        .select(driftState)
        .from(runs)
        .innerJoin(environments, eq(environments.id, runs.environmentId))
        .where(eq(runs.id, runId));
      return row && stateOf(row);
    },

    async setDriftIssue(environmentId, issueNumber) {
      await db
        .update(environments)
        .set({ driftIssueNumber: issueNumber ?? null })
        .where(eq(environments.id, environmentId));
    },
  };
}
