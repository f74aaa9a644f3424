import { and, desc, eq, inArray, isNotNull, isNull, lt, notInArray, or, sql } from "drizzle-orm";
import type { ComponentSpec } from "../domain/component-spec.js";
import { isDiscardable } from "../domain/component-transitions.js";
import { staleWaveReason } from "../domain/dependency-waves.js";
import { SUPERSEDABLE_PHASES, TERMINAL_PHASES } from "../domain/component-phase.js";
import type {
  ChangesetStore,
  NewChangesetRun,
  PullRequestRecord,
  RevertTarget,
  RevisionToReplay,
  RunComponentView,
  RunView,
} from "../services/changeset-store.js";
import type { Db } from "./database.js";
import { appendEvent, moveComponent, type Tx } from "./move-component.js";
import {
  changes,
  changesets,
  components,
  environments,
  installations,
  pullRequests,
  repositories,
  revisions,
  runComponents,
  runs,
  stacks,
} from "./schema/index.js";

/** Phases a new plan supersedes: nothing of them was confirmed, so nothing is lost. */

export function createChangesetRepository(db: Db): ChangesetStore {
  const pullRequestRow = async (repositoryId: number, number: number) =>
    (
      await db
        .select()
        .from(pullRequests)
        .where(and(eq(pullRequests.repositoryId, repositoryId), eq(pullRequests.number, number)))
    )[0];

  const toRecord = (row: typeof pullRequests.$inferSelect): PullRequestRecord => ({
    repositoryId: row.repositoryId,
    number: row.number,
    headSha: row.headSha,
    baseRef: row.baseRef,
    author: row.author,
    fork: row.fork,
    open: row.open,
    commentIds: row.commentIds,
    commentDigest: row.commentDigest ?? undefined,
    notices: row.notices,
    updatedAt: row.updatedAt,
  });

  const store: ChangesetStore = {
    async upsertRepository({ id, installationId, fullName, defaultBranch }) {
      // Bosun may have been installed before this database existed: the event still names both.
      await db
        .insert(installations)
        .values({ id: installationId, accountLogin: fullName.split("/")[0] ?? fullName })
        .onConflictDoNothing();
      await db
        .insert(repositories)
        .values({ id, installationId, fullName, defaultBranch })
        .onConflictDoUpdate({
          target: repositories.id,
          set: { installationId, fullName, defaultBranch, removedAt: null },
        });
    },

    async upsertPullRequest(pr) {
      const [row] = await db
        .insert(pullRequests)
        .values({ ...pr, open: true })
        .onConflictDoUpdate({
          target: [pullRequests.repositoryId, pullRequests.number],
          set: {
            headSha: pr.headSha,
            baseRef: pr.baseRef,
            fork: pr.fork,
            open: true,
            updatedAt: new Date(),
          },
        })
        .returning();
      if (!row) throw new Error(`recording pull request #${pr.number}: no row returned`);
      return toRecord(row);
    },

    async pullRequest(repositoryId, number) {
      const row = await pullRequestRow(repositoryId, number);
      return row && toRecord(row);
    },

    async addNotice(repositoryId, number, notice) {
      const updated = await db
        .update(pullRequests)
        .set({ notices: sql`${pullRequests.notices} || ${JSON.stringify([notice])}::jsonb` })
        .where(
          and(
            eq(pullRequests.repositoryId, repositoryId),
            eq(pullRequests.number, number),
            sql`not (${pullRequests.notices} @> ${JSON.stringify([notice])}::jsonb)`,
          ),
        )
        .returning({ number: pullRequests.number });
      return updated.length > 0;
    },

    async setComments(repositoryId, number, commentIds, commentDigest) {
      await db
        .update(pullRequests)
        .set({ commentIds, commentDigest })
        .where(and(eq(pullRequests.repositoryId, repositoryId), eq(pullRequests.number, number)));
    },

    async closePullRequest(repositoryId, number) {
      await db
        .update(pullRequests)
        .set({ open: false, updatedAt: new Date() })
        .where(and(eq(pullRequests.repositoryId, repositoryId), eq(pullRequests.number, number)));
      await db
        .update(changesets)
        .set({ status: "closed", updatedAt: new Date() })
        .where(
          and(eq(changesets.repositoryId, repositoryId), eq(changesets.pullRequestNumber, number)),
        );
    },

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

    async releaseNextHeld(componentId) {
      return db.transaction(async (tx) => {
        const open = await tx
          .select({ id: runComponents.id, held: runComponents.held })
          .from(runComponents)
          .innerJoin(runs, eq(runs.id, runComponents.runId))
          .where(
            and(
              eq(runs.kind, "tracked"),
              eq(runComponents.componentId, componentId),
              notInArray(runComponents.phase, [...TERMINAL_PHASES]),
            ),
          )
          .orderBy(runs.createdAt, runs.id)
          .for("update");
        if (open.length === 0 || open.some((row) => !row.held)) return undefined;
        const [next] = await tx
          .update(runComponents)
          .set({ held: false, failureReason: null, updatedAt: new Date() })
          .where(eq(runComponents.id, open[0]!.id))
          .returning({ runComponentId: runComponents.id, runId: runComponents.runId });
        return next;
      });
    },

    async setCheckRun(runId, checkRunId) {
      await db.update(runs).set({ checkRunId }).where(eq(runs.id, runId));
    },

    async setDeployment(runId, deploymentId, state) {
      await db
        .update(runs)
        .set({ ...(deploymentId !== undefined ? { deploymentId } : {}), deploymentState: state })
        .where(eq(runs.id, runId));
    },

    async setReportDigest(runId, digest) {
      await db.update(runs).set({ reportDigest: digest }).where(eq(runs.id, runId));
    },

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

    async confirm(runId, runComponentIds, actor, cause) {
      return db.transaction(async (tx) => {
        const confirmed: string[] = [];
        for (const id of runComponentIds) {
          const [current] = await tx
            .select({ phase: runComponents.phase })
            .from(runComponents)
            .where(eq(runComponents.id, id))
            .for("update");
          if (current?.phase !== "UNCONFIRMED") continue;
          await moveComponent(tx, {
            runId,
            runComponentId: id,
            from: "UNCONFIRMED",
            to: "CONFIRMED",
            cause,
            actor,
            by: "confirm",
          });
          confirmed.push(id);
        }
        if (confirmed.length > 0) {
          await tx
            .update(runs)
            .set({ confirmedBy: actor, confirmedAt: new Date() })
            .where(eq(runs.id, runId));
        }
        return confirmed;
      });
    },

    async releaseDeferred(runComponentId, to, cause) {
      return db.transaction(async (tx) => {
        const [current] = await tx
          .select({ phase: runComponents.phase, runId: runComponents.runId })
          .from(runComponents)
          .where(eq(runComponents.id, runComponentId))
          .for("update");
        if (current?.phase !== "DEFERRED") return false;
        await moveComponent(tx, {
          runId: current.runId,
          runComponentId,
          from: "DEFERRED",
          to,
          cause,
          actor: "bosun",
          by: to === "FAILED" ? "stale" : "release",
          with: { failureReason: to === "QUEUED" ? null : cause },
        });
        return true;
      });
    },

    async confirmWave(runId, runComponentIds, actor, cause) {
      return db.transaction(async (tx) => {
        const confirmed: string[] = [];
        const stale: string[] = [];
        for (const id of runComponentIds) {
          // Locking the component row orders this against recordRevision, which moves the head.
          const [current] = await tx
            .select({
              phase: runComponents.phase,
              head: components.deployedRevisionId,
              componentId: runComponents.componentId,
              baseHeads: changesets.baseHeads,
              stack: stacks.name,
              environment: environments.name,
            })
            .from(runComponents)
            .innerJoin(components, eq(components.id, runComponents.componentId))
            .innerJoin(stacks, eq(stacks.id, components.stackId))
            .innerJoin(environments, eq(environments.id, components.environmentId))
            .innerJoin(runs, eq(runs.id, runComponents.runId))
            .leftJoin(changesets, eq(changesets.id, runs.changesetId))
            .where(eq(runComponents.id, id))
            .for("update", { of: [runComponents, components] });
          if (current?.phase !== "UNCONFIRMED") continue;
          const base = current.baseHeads?.[current.componentId] ?? null;
          const moved = (current.head ?? null) !== base;
          const reason = staleWaveReason(`${current.stack}@${current.environment}`);
          await moveComponent(tx, {
            runId,
            runComponentId: id,
            from: "UNCONFIRMED",
            to: moved ? "FAILED" : "CONFIRMED",
            cause: moved ? reason : cause,
            actor: moved ? "bosun" : actor,
            by: moved ? "stale" : "confirm",
            ...(moved ? { with: { failureReason: reason } } : {}),
          });
          (moved ? stale : confirmed).push(id);
        }
        return { confirmed, stale };
      });
    },

    async runInRepository(repositoryId, runId) {
      const view = await loadRunView(db, runId);
      return view?.repositoryId === repositoryId ? view : undefined;
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

    async discard(runId, actor, cause) {
      return db.transaction(async (tx) => {
        const candidates = await tx
          .select({
            id: runComponents.id,
            phase: runComponents.phase,
            confirmedBy: runs.confirmedBy,
          })
          .from(runComponents)
          .innerJoin(runs, eq(runs.id, runComponents.runId))
          .where(
            and(
              eq(runComponents.runId, runId),
              inArray(runComponents.phase, [...SUPERSEDABLE_PHASES]),
            ),
          )
          .for("update", { of: runComponents });
        // A confirmed run's queued and deferred components are its later waves (invariant 2).
        const rows = candidates.filter((row) => isDiscardable(row.phase, row.confirmedBy !== null));
        for (const row of rows) {
          await moveComponent(tx, {
            runId,
            runComponentId: row.id,
            from: row.phase,
            to: "DISCARDED",
            cause,
            actor,
            by: "discard",
          });
        }
        return rows.length;
      });
    },
  };
  return store;
}

/** Discards what earlier runs of the changeset left unconfirmed: a re-plan clears earlier approvals. */
async function supersede(tx: Tx, changesetId: string, actor: string): Promise<string[]> {
  const candidates = await tx
    .select({
      id: runComponents.id,
      runId: runComponents.runId,
      phase: runComponents.phase,
      confirmedBy: runs.confirmedBy,
    })
    .from(runComponents)
    .innerJoin(runs, eq(runs.id, runComponents.runId))
    .where(
      and(
        eq(runs.changesetId, changesetId),
        inArray(runComponents.phase, [...SUPERSEDABLE_PHASES]),
      ),
    )
    .for("update", { of: runComponents });
  // A confirmed run's queued and deferred components are its later waves: nothing stops it
  // (invariant 2).
  const rows = candidates.filter((row) => isDiscardable(row.phase, row.confirmedBy !== null));
  for (const row of rows) {
    await moveComponent(tx, {
      runId: row.runId,
      runComponentId: row.id,
      from: row.phase,
      to: "DISCARDED",
      cause: "superseded by a new plan",
      actor,
      by: "discard",
    });
  }
  return [...new Set(rows.map((row) => row.runId))];
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
  }));
  return {
    runId: run.id,
    kind: run.kind,
    commitSha: run.commitSha,
    trigger: run.trigger,
    triggeredBy: run.triggeredBy,
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
