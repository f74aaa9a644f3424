import { and, eq, sql } from "drizzle-orm";
import type { PullRequestRecord, PullRequestStore } from "../services/pull-request-port.js";
import type { Db } from "./database.js";
import { changesets, installations, pullRequests, repositories } from "./schema/index.js";

export function createPullRequestRepository(db: Db): PullRequestStore {
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

  return {
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
  };
}
