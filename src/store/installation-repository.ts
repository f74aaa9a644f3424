import { and, eq, inArray, sql } from "drizzle-orm";
import type { InstallationStore } from "../services/installation-port.js";
import type { Db } from "./database.js";
import { installations, repositories } from "./schema/index.js";

export function createInstallationRepository(db: Db): InstallationStore {
  return {
    async upsertInstallation({ id, accountLogin }) {
      await db
        .insert(installations)
        .values({ id, accountLogin })
        .onConflictDoUpdate({
          target: installations.id,
          set: { accountLogin, deletedAt: null },
        });
    },
    async markInstallation(id, change) {
      const now = new Date();
      const set =
        change === "deleted"
          ? { deletedAt: now }
          : change === "suspended"
            ? { suspendedAt: now }
            : { suspendedAt: null };
      await db.update(installations).set(set).where(eq(installations.id, id));
    },
    async addRepositories(installationId, added) {
      if (added.length === 0) return;
      await db
        .insert(repositories)
        .values(added.map((repo) => ({ id: repo.id, installationId, fullName: repo.fullName })))
        .onConflictDoUpdate({
          target: repositories.id,
          set: {
            installationId,
            fullName: sql`excluded.full_name`,
            removedAt: null,
          },
        });
    },
    async removeRepositories(installationId, repositoryIds) {
      if (repositoryIds.length === 0) return;
      await db
        .update(repositories)
        .set({ removedAt: new Date() })
        .where(
          and(
            eq(repositories.installationId, installationId),
            inArray(repositories.id, repositoryIds),
          ),
        );
    },
  };
}
