import { eq } from "drizzle-orm";
import type { ComponentSpec } from "../domain/component-spec.js";
import type { RunComponentRecord, RunStore } from "../services/run-port.js";
import type { Db } from "./database.js";
import { moveComponent } from "./move-component.js";
import {
  components,
  phaseLogLines,
  repositories,
  revisions,
  runComponents,
  runPhases,
  runs,
} from "./schema/index.js";

export function createRunRepository(db: Db): RunStore {
  return {
    async loadRunComponent(runComponentId) {
      const [row] = await db
        .select({
          runComponentId: runComponents.id,
          runId: runComponents.runId,
          componentId: runComponents.componentId,
          phase: runComponents.phase,
          changeKind: runComponents.changeKind,
          spec: runComponents.spec,
          planDigest: runComponents.planDigest,
          workspaceDigest: runComponents.workspaceDigest,
          sealedWorkspace: runComponents.sealedWorkspace,
          commitSha: runs.commitSha,
          runKind: runs.kind,
          trigger: runs.trigger,
          triggeredBy: runs.triggeredBy,
          confirmedBy: runs.confirmedBy,
          scanFindings: runs.scanFindings,
          repositoryId: runs.repositoryId,
          repositoryFullName: repositories.fullName,
          installationId: repositories.installationId,
        })
        .from(runComponents)
        .innerJoin(runs, eq(runs.id, runComponents.runId))
        .innerJoin(repositories, eq(repositories.id, runs.repositoryId))
        .where(eq(runComponents.id, runComponentId));
      if (!row) return undefined;
      const record: RunComponentRecord = {
        ...row,
        spec: row.spec as ComponentSpec,
        confirmedBy: row.confirmedBy ?? undefined,
        planDigest: row.planDigest ?? undefined,
        workspaceDigest: row.workspaceDigest ?? undefined,
        sealedWorkspace: row.sealedWorkspace ?? undefined,
      };
      return record;
    },

    async transition(runComponentId, from, to, cause, actor, holderJobId) {
      return db.transaction(async (tx) => {
        const [current] = await tx
          .select({
            phase: runComponents.phase,
            runId: runComponents.runId,
            jobId: runComponents.jobId,
          })
          .from(runComponents)
          .where(eq(runComponents.id, runComponentId))
          .for("update");
        if (!current || !from.includes(current.phase)) return false;
        if (holderJobId !== undefined && current.jobId !== holderJobId) return false;
        await moveComponent(tx, {
          runId: current.runId,
          runComponentId,
          from: current.phase,
          to,
          cause,
          actor,
        });
        return true;
      });
    },

    async startPhase(runComponentId, phase, sandbox, step) {
      const [row] = await db
        .insert(runPhases)
        .values({
          runComponentId,
          phase,
          sandbox: sandbox ?? null,
          step: step?.name ?? null,
          stepHook: step?.hook ?? null,
        })
        .returning({ id: runPhases.id });
      if (!row) throw new Error(`starting phase ${phase} of ${runComponentId}: no row returned`);
      return row.id;
    },

    async appendLog(phaseId, lines) {
      if (lines.length === 0) return;
      await db.insert(phaseLogLines).values(lines.map((entry) => ({ phaseId, ...entry })));
    },

    async finishPhase(phaseId, outcome) {
      await db
        .update(runPhases)
        .set({
          finishedAt: new Date(),
          exitCode: outcome.exitCode ?? null,
          error: outcome.error ?? null,
          stepSummary: outcome.summary ?? null,
        })
        .where(eq(runPhases.id, phaseId));
    },

    async savePlan(runComponentId, plan) {
      await db
        .update(runComponents)
        .set({
          planDigest: plan.planDigest,
          planSummary: {
            summary: plan.summary,
            planText: plan.planText,
            diagnostics: plan.diagnostics,
            policyFindings: plan.policyFindings,
            stepWarnings: plan.stepWarnings,
          },
          sealedWorkspace: plan.sealedWorkspace ?? null,
          workspaceDigest: plan.workspaceDigest ?? null,
          updatedAt: new Date(),
        })
        .where(eq(runComponents.id, runComponentId));
    },

    async setFailureReason(runComponentId, reason) {
      await db
        .update(runComponents)
        .set({ failureReason: reason })
        .where(eq(runComponents.id, runComponentId));
    },

    async deployedOutputs(componentId) {
      const [row] = await db
        .select({ outputs: revisions.outputs, sealedOutputs: revisions.sealedOutputs })
        .from(components)
        .innerJoin(revisions, eq(revisions.id, components.deployedRevisionId))
        .where(eq(components.id, componentId));
      return row && { outputs: row.outputs, sealedOutputs: row.sealedOutputs ?? undefined };
    },

    async setEngineVersion(runId, version) {
      await db.update(runs).set({ engineVersion: version }).where(eq(runs.id, runId));
    },

    async recordRevision(revision) {
      return db.transaction(async (tx) => {
        const [target] = await tx
          .select({
            componentId: runComponents.componentId,
            runId: runComponents.runId,
            commitSha: runs.commitSha,
            spec: runComponents.spec,
          })
          .from(runComponents)
          .innerJoin(runs, eq(runs.id, runComponents.runId))
          .where(eq(runComponents.id, revision.runComponentId));
        if (!target)
          throw new Error(
            `recording a revision: run component ${revision.runComponentId} not found`,
          );
        const [row] = await tx
          .insert(revisions)
          .values({
            componentId: target.componentId,
            runId: target.runId,
            // The commit whose source was applied: a revert replays an older one than the run's.
            commitSha: (target.spec as ComponentSpec).sourceSha ?? target.commitSha,
            inputs: revision.inputs,
            planDigest: revision.planDigest,
            outputs: revision.outputs,
            sealedOutputs: revision.sealedOutputs ?? null,
            stateVersionId: revision.stateVersionId ?? null,
            startedAt: revision.startedAt,
          })
          .returning({ id: revisions.id });
        if (!row) throw new Error("recording a revision: no row returned");
        await tx
          .update(components)
          .set({ deployedRevisionId: row.id })
          .where(eq(components.id, target.componentId));
        return row.id;
      });
    },
  };
}
