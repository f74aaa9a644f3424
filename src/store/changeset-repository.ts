import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { ComponentSpec } from "../domain/component-spec.js";
import type {
  ChangesetStore,
  NewChangesetRun,
  RevertTarget,
  RevisionToReplay,
} from "../services/changeset-port.js";
import type { Db } from "./database.js";
import { discardComponents } from "./discard-components.js";
import { appendEvent, type Tx } from "./move-component.js";
import {
  changes,
  changesets,
  components,
  environments,
  revisions,
  runComponents,
  runs,
  stacks,
} from "./schema/index.js";

export function createChangesetRepository(db: Db): ChangesetStore {
  return {
    async openChangesetRun(input: NewChangesetRun) {
      return db.transaction(async (tx) => {
        const [environment] = await tx
          .select({ id: environments.id })
          .from(environments)
          .where(
            and(
              eq(environments.repositoryId, input.repositoryId),
              eq(environments.name, input.environment),
            ),
          );
        if (!environment)
          throw new Error(`opening a changeset: environment ${input.environment} is unknown`);
        const ofPullRequest = and(
          eq(changesets.repositoryId, input.repositoryId),
          eq(changesets.environmentId, environment.id),
          input.pullRequestNumber === undefined
            ? sql`false`
            : eq(changesets.pullRequestNumber, input.pullRequestNumber),
        );
        // The pull request's own changeset is re-based in place; a revert or a promotion is a
        // changeset of its own, next to which the pull request keeps one open per environment.
        const [existing] = input.origin
          ? []
          : await tx
              .select({ id: changesets.id })
              .from(changesets)
              .where(
                and(
                  ofPullRequest,
                  isNull(changesets.revertsRunId),
                  isNull(changesets.promotedFromId),
                ),
              )
              .for("update");
        const others = await tx
          .select({ id: changesets.id })
          .from(changesets)
          .where(
            and(
              ofPullRequest,
              eq(changesets.status, "open"),
              existing ? sql`${changesets.id} <> ${existing.id}` : sql`true`,
            ),
          )
          .for("update");
        const supersededElsewhere: string[] = [];
        for (const other of others) {
          supersededElsewhere.push(...(await supersede(tx, other.id, input.run.triggeredBy)));
          await tx
            .update(changesets)
            .set({ status: "closed", updatedAt: new Date() })
            .where(eq(changesets.id, other.id));
        }
        let changesetId: string;
        if (existing) {
          changesetId = existing.id;
          await tx
            .update(changesets)
            .set({
              headSha: input.headSha,
              baseHeads: input.baseHeads,
              status: "open",
              updatedAt: new Date(),
            })
            .where(eq(changesets.id, changesetId));
          await tx.delete(changes).where(eq(changes.changesetId, changesetId));
        } else {
          const [created] = await tx
            .insert(changesets)
            .values({
              repositoryId: input.repositoryId,
              environmentId: environment.id,
              pullRequestNumber: input.pullRequestNumber ?? null,
              headSha: input.headSha,
              baseHeads: input.baseHeads,
              ...(input.origin && "revertsRunId" in input.origin
                ? { revertsRunId: input.origin.revertsRunId }
                : {}),
              ...(input.origin && "promotedFromId" in input.origin
                ? { promotedFromId: input.origin.promotedFromId }
                : {}),
            })
            .returning({ id: changesets.id });
          changesetId = created!.id;
        }
        if (input.components.length > 0) {
          await tx.insert(changes).values(
            input.components.map((component) => ({
              changesetId,
              componentId: component.componentId,
              kind: component.changeKind,
            })),
          );
        }
        const superseded = await supersede(tx, changesetId, input.run.triggeredBy);
        const [run] = await tx
          .insert(runs)
          .values({
            repositoryId: input.repositoryId,
            environmentId: environment.id,
            changesetId,
            kind: input.run.kind,
            commitSha: input.run.commitSha,
            trigger: input.run.trigger,
            triggeredBy: input.run.triggeredBy,
            triggeredByTokenId: input.run.triggeredByTokenId ?? null,
            runtimeConfig: input.run.runtimeConfig ?? null,
            repeatsRunId: input.run.repeatsRunId ?? null,
            pullRequestNumber: input.pullRequestNumber ?? null,
            scanFindings: input.run.scanFindings,
          })
          .returning({ id: runs.id });
        const runId = run!.id;
        const created = input.components.length
          ? await tx
              .insert(runComponents)
              .values(
                input.components.map((component) => ({
                  runId,
                  componentId: component.componentId,
                  changeKind: component.changeKind,
                  spec: component.spec,
                  phase: component.phase,
                  held: component.held ?? false,
                  wave: component.wave ?? 0,
                  failureReason: component.note ?? null,
                })),
              )
              .returning({
                id: runComponents.id,
                componentId: runComponents.componentId,
                phase: runComponents.phase,
              })
          : [];
        for (const component of created) {
          await appendEvent(tx, {
            runId,
            runComponentId: component.id,
            fromState: null,
            toState: component.phase,
            cause: `run created by ${input.run.trigger}`,
            actor: input.run.triggeredBy,
          });
        }
        return {
          changesetId,
          runId,
          components: created,
          supersededRunIds: [...new Set([...supersededElsewhere, ...superseded])],
        };
      });
    },

    async revertTargets(runId) {
      const applied = await db
        .select({
          id: revisions.id,
          componentId: revisions.componentId,
          finishedAt: revisions.finishedAt,
          stack: stacks.name,
        })
        .from(revisions)
        .innerJoin(components, eq(components.id, revisions.componentId))
        .innerJoin(stacks, eq(stacks.id, components.stackId))
        .where(eq(revisions.runId, runId))
        .orderBy(stacks.name);
      const targets: RevertTarget[] = [];
      for (const revision of applied) {
        const [previous] = await db
          .select({ id: revisions.id })
          .from(revisions)
          .where(
            and(
              eq(revisions.componentId, revision.componentId),
              or(
                lt(revisions.finishedAt, revision.finishedAt),
                and(eq(revisions.finishedAt, revision.finishedAt), lt(revisions.id, revision.id)),
              ),
            ),
          )
          .orderBy(desc(revisions.finishedAt), desc(revisions.id))
          .limit(1);
        targets.push({
          componentId: revision.componentId,
          stack: revision.stack,
          applied: await replayOf(db, revision.id),
          previous: previous ? await replayOf(db, previous.id) : undefined,
        });
      }
      return targets;
    },
  };
}

/** Discards what earlier runs of the changeset left unconfirmed: a re-plan clears earlier approvals. */
async function supersede(tx: Tx, changesetId: string, actor: string): Promise<string[]> {
  const runIds = await discardComponents(tx, eq(runs.changesetId, changesetId), {
    actor,
    cause: "superseded by a new plan",
  });
  return [...new Set(runIds)];
}

/** A revision with the spec its run component ran: what replaying it needs. */
async function replayOf(db: Db, revisionId: string): Promise<RevisionToReplay> {
  const [row] = await db
    .select({
      commitSha: revisions.commitSha,
      inputs: revisions.inputs,
      spec: runComponents.spec,
    })
    .from(revisions)
    .innerJoin(
      runComponents,
      and(
        eq(runComponents.runId, revisions.runId),
        eq(runComponents.componentId, revisions.componentId),
      ),
    )
    .where(eq(revisions.id, revisionId));
  if (!row) throw new Error(`reading revision ${revisionId}: its run component is gone`);
  return { commitSha: row.commitSha, inputs: row.inputs, spec: row.spec as ComponentSpec };
}
