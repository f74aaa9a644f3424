import { and, asc, eq, inArray, isNull, lt, or } from "drizzle-orm";
import type { ApiTokenStore } from "../services/api-token-port.js";
import type { Db } from "./database.js";
import { apiTokenRepositories, apiTokens, repositories } from "./schema/index.js";

export function createApiTokenRepository(db: Db): ApiTokenStore {
  return {
    async repositoryIds(fullNames) {
      if (fullNames.length === 0) return new Map();
      const rows = await db
        .select({ id: repositories.id, fullName: repositories.fullName })
        .from(repositories)
        .where(and(inArray(repositories.fullName, [...fullNames]), isNull(repositories.removedAt)));
      return new Map(rows.map((row) => [row.fullName, row.id]));
    },
    async create({ name, tokenHash, scope, createdBy, repositoryIds }) {
      return db.transaction(async (tx) => {
        const [token] = await tx
          .insert(apiTokens)
          .values({ name, tokenHash, scope, createdBy })
          .returning({ id: apiTokens.id });
        await tx
          .insert(apiTokenRepositories)
          .values(repositoryIds.map((repositoryId) => ({ tokenId: token!.id, repositoryId })));
        return token!.id;
      });
    },
    async list() {
      const tokens = await db.select().from(apiTokens).orderBy(asc(apiTokens.createdAt));
      const granted = await db
        .select({ tokenId: apiTokenRepositories.tokenId, fullName: repositories.fullName })
        .from(apiTokenRepositories)
        .innerJoin(repositories, eq(repositories.id, apiTokenRepositories.repositoryId));
      return tokens.map((token) => ({
        id: token.id,
        name: token.name,
        scope: token.scope,
        repositories: granted
          .filter((grant) => grant.tokenId === token.id)
          .map((grant) => grant.fullName)
          .sort(),
        createdBy: token.createdBy,
        createdAt: token.createdAt,
        lastUsedAt: token.lastUsedAt ?? undefined,
        revokedAt: token.revokedAt ?? undefined,
      }));
    },
    async byHash(tokenHash) {
      const [token] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash));
      if (!token) return undefined;
      const granted = await db
        .select({ repositoryId: apiTokenRepositories.repositoryId })
        .from(apiTokenRepositories)
        .where(eq(apiTokenRepositories.tokenId, token.id));
      return {
        id: token.id,
        name: token.name,
        scope: token.scope,
        repositoryIds: granted.map((grant) => grant.repositoryId),
        lastUsedAt: token.lastUsedAt ?? undefined,
        revokedAt: token.revokedAt ?? undefined,
      };
    },
    async markUsed(id, at, unlessUsedSince) {
      // The condition, not only the caller's read of last_used_at, keeps concurrent requests
      // (and processes) to one write.
      await db
        .update(apiTokens)
        .set({ lastUsedAt: at })
        .where(
          and(
            eq(apiTokens.id, id),
            or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, unlessUsedSince)),
          ),
        );
    },
    async revoke(id, at) {
      const revoked = await db
        .update(apiTokens)
        .set({ revokedAt: at })
        .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      return revoked.length > 0;
    },
  };
}
