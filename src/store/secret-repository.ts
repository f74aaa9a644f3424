import { and, asc, eq, isNull, or, sql } from "drizzle-orm";
import { pickComponentSecrets } from "../domain/pick-component-secrets.js";
import { type SealKeys, open, seal } from "../lib/seal.js";
import { stackSecretContext as aad } from "../lib/seal-contexts.js";
import type { SecretStore } from "../services/secret-port.js";
import type { SecretAdmin } from "../services/secrets-command.js";
import type { Db } from "./database.js";
import { repositories, stackSecrets } from "./schema/index.js";

/** What the runner reads (SecretStore) and what the `bosun secrets` commands manage (SecretAdmin). */
export type SecretRepository = SecretStore & SecretAdmin;

/** A row's environment as the domain has it: undefined for a stack-wide secret. */
const environmentOf = (row: { environmentName: string | null }) => row.environmentName ?? undefined;

export function createSecretRepository(db: Db, key: SealKeys): SecretRepository {
  /** The stack's secrets of one environment and its stack-wide ones, or every one of the stack. */
  const inScope = (repositoryId: number, stackName: string, environment: string | undefined) =>
    and(
      eq(stackSecrets.repositoryId, repositoryId),
      eq(stackSecrets.stackName, stackName),
      environment === undefined
        ? undefined
        : or(isNull(stackSecrets.environmentName), eq(stackSecrets.environmentName, environment)),
    );
  /** One secret: stack-wide when `environment` is undefined (a null column, never `= null`). */
  const exactly = (
    repositoryId: number,
    stackName: string,
    environment: string | undefined,
    name: string,
  ) =>
    and(
      eq(stackSecrets.repositoryId, repositoryId),
      eq(stackSecrets.stackName, stackName),
      environment === undefined
        ? isNull(stackSecrets.environmentName)
        : eq(stackSecrets.environmentName, environment),
      eq(stackSecrets.name, name),
    );
  return {
    async repositoryId(fullName) {
      const [row] = await db
        .select({ id: repositories.id })
        .from(repositories)
        .where(eq(repositories.fullName, fullName));
      return row?.id;
    },
    async forPhase(repositoryId, stackName, environment, phase, { stackWide }) {
      const rows = await db
        .select()
        .from(stackSecrets)
        .where(inScope(repositoryId, stackName, environment));
      const chosen = pickComponentSecrets(
        rows.map((row) => ({ ...row, environment: environmentOf(row) })),
        { environment, phase, stackWide },
      );
      return Object.fromEntries(
        chosen.map((row) => [
          row.name,
          open(
            key,
            row.sealedValue,
            aad(repositoryId, stackName, row.environment, row.name),
          ).toString("utf8"),
        ]),
      );
    },
    async set({ repositoryId, stackName, environment, name, scope, value }) {
      const sealedValue = seal(
        key,
        Buffer.from(value, "utf8"),
        aad(repositoryId, stackName, environment, name),
      );
      await db
        .insert(stackSecrets)
        .values({
          repositoryId,
          stackName,
          environmentName: environment ?? null,
          name,
          scope,
          sealedValue,
        })
        .onConflictDoUpdate({
          // The unique constraint treats nulls as equal, so a stack-wide secret conflicts too.
          target: [
            stackSecrets.repositoryId,
            stackSecrets.stackName,
            stackSecrets.environmentName,
            stackSecrets.name,
          ],
          set: { scope, sealedValue, updatedAt: new Date() },
        });
    },
    async list(repositoryId, stackName, environment) {
      const rows = await db
        .select({
          name: stackSecrets.name,
          environmentName: stackSecrets.environmentName,
          scope: stackSecrets.scope,
          updatedAt: stackSecrets.updatedAt,
        })
        .from(stackSecrets)
        .where(inScope(repositoryId, stackName, environment))
        .orderBy(
          asc(stackSecrets.name),
          // Stack-wide first, then the environments that override it.
          sql`${stackSecrets.environmentName} asc nulls first`,
        );
      return rows.map(({ environmentName, ...row }) => ({
        ...row,
        environment: environmentName ?? undefined,
      }));
    },
    async remove(repositoryId, stackName, environment, name) {
      const deleted = await db
        .delete(stackSecrets)
        .where(exactly(repositoryId, stackName, environment, name))
        .returning({ id: stackSecrets.id });
      return deleted.length > 0;
    },
  };
}
