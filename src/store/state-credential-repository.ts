import { and, eq, exists, inArray, isNull, sql } from "drizzle-orm";
import { TERMINAL_PHASES } from "../domain/component-phase.js";
import type { StateCredentialStore } from "../services/state-port.js";
import type { Db } from "./database.js";
import { runComponents, stateCredentials } from "./schema/index.js";

export function createStateCredentialRepository(db: Db): StateCredentialStore {
  return {
    async insert({ lifetimeMs, ...credential }) {
      // The database clock sets the expiry and judges it, so workers' clocks do not matter.
      const [row] = await db
        .insert(stateCredentials)
        .values({
          ...credential,
          expiresAt: sql`now() + make_interval(secs => ${lifetimeMs / 1000})`,
        })
        .returning({ id: stateCredentials.id, expiresAt: stateCredentials.expiresAt });
      return { id: row!.id, expiresAt: row!.expiresAt };
    },
    async find(id) {
      const [row] = await db
        .select({
          credential: stateCredentials,
          expired: sql<boolean>`${stateCredentials.expiresAt} <= now()`,
          // Its component is terminal in its run: whatever ended it (an apply, a failure, a
          // discard, a recovery), the credential has nothing left to do.
          ended: sql<boolean>`${exists(
            db
              .select({ one: sql`1` })
              .from(runComponents)
              .where(
                and(
                  eq(runComponents.runId, stateCredentials.runId),
                  eq(runComponents.componentId, stateCredentials.componentId),
                  inArray(runComponents.phase, [...TERMINAL_PHASES]),
                ),
              ),
          )}`,
        })
        .from(stateCredentials)
        .where(eq(stateCredentials.id, id));
      if (!row) return undefined;
      const { credential } = row;
      return {
        id: credential.id,
        componentId: credential.componentId,
        runId: credential.runId,
        access: credential.access,
        tokenHash: credential.tokenHash,
        revokedAt: credential.revokedAt ?? undefined,
        expiresAt: credential.expiresAt,
        expired: row.expired,
        ended: row.ended,
      };
    },
    async revoke(id, at) {
      const rows = await db
        .update(stateCredentials)
        .set({ revokedAt: at })
        .where(and(eq(stateCredentials.id, id), isNull(stateCredentials.revokedAt)))
        .returning({ id: stateCredentials.id });
      return rows.length === 1;
    },
    async revokeOfRun(runId, at, componentId) {
      const rows = await db
        .update(stateCredentials)
        .set({ revokedAt: at })
        .where(
          and(
            eq(stateCredentials.runId, runId),
            componentId ? eq(stateCredentials.componentId, componentId) : undefined,
            isNull(stateCredentials.revokedAt),
          ),
        )
        .returning({ id: stateCredentials.id });
      return rows.length;
    },
  };
}
