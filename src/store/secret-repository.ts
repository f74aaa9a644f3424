import type { KeyObject } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { open, seal } from "../lib/seal.js";
import type { SecretStore } from "../services/secret-port.js";
import type { SecretAdmin } from "../services/secrets-command.js";
import type { Db } from "./database.js";
import { repositories, stackSecrets } from "./schema/index.js";

/** What the runner reads (SecretStore) and what the `bosun secrets` commands manage (SecretAdmin). */
export type SecretRepository = SecretStore & SecretAdmin;

/** The additional data binds a sealed value to its row, so values cannot be swapped between secrets. */
const aad = (repositoryId: number, stackName: string, name: string) =>
  `secret:${repositoryId}:${stackName}:${name}`;

export function createSecretRepository(db: Db, key: KeyObject): SecretRepository {
  return {
    async repositoryId(fullName) {
      const [row] = await db
        .select({ id: repositories.id })
        .from(repositories)
        .where(eq(repositories.fullName, fullName));
      return row?.id;
    },
    async forPhase(repositoryId, stackName, phase) {
      const rows = await db
        .select()
        .from(stackSecrets)
        .where(
          and(
            eq(stackSecrets.repositoryId, repositoryId),
            eq(stackSecrets.stackName, stackName),
            inArray(stackSecrets.scope, [phase, "both"]),
          ),
        );
      return Object.fromEntries(
        rows.map((row) => [
          row.name,
          open(key, row.sealedValue, aad(repositoryId, stackName, row.name)).toString("utf8"),
        ]),
      );
    },
    async set({ repositoryId, stackName, name, scope, value }) {
      const sealedValue = seal(key, Buffer.from(value, "utf8"), aad(repositoryId, stackName, name));
      await db
        .insert(stackSecrets)
        .values({ repositoryId, stackName, name, scope, sealedValue })
        .onConflictDoUpdate({
          target: [stackSecrets.repositoryId, stackSecrets.stackName, stackSecrets.name],
          set: { scope, sealedValue, updatedAt: new Date() },
        });
    },
    async list(repositoryId, stackName) {
      return db
        .select({
          name: stackSecrets.name,
          scope: stackSecrets.scope,
          updatedAt: stackSecrets.updatedAt,
        })
        .from(stackSecrets)
        .where(
          and(eq(stackSecrets.repositoryId, repositoryId), eq(stackSecrets.stackName, stackName)),
        )
        .orderBy(stackSecrets.name);
    },
    async remove(repositoryId, stackName, name) {
      const deleted = await db
        .delete(stackSecrets)
        .where(
          and(
            eq(stackSecrets.repositoryId, repositoryId),
            eq(stackSecrets.stackName, stackName),
            eq(stackSecrets.name, name),
          ),
        )
        .returning({ id: stackSecrets.id });
      return deleted.length > 0;
    },
  };
}
