import { and, eq, isNull } from "drizzle-orm";
import type { StateCredentialStore } from "../services/ports.js";
import type { Db } from "./database.js";
import { stateCredentials } from "./schema/index.js";

export function createStateCredentialRepository(db: Db): StateCredentialStore {
  return {
    async insert(credential) {
      const [row] = await db
        .insert(stateCredentials)
        .values(credential)
        .returning({ id: stateCredentials.id });
      return { id: row!.id };
    },
    async find(id) {
      const [row] = await db.select().from(stateCredentials).where(eq(stateCredentials.id, id));
      if (!row) return undefined;
      return {
        id: row.id,
        componentId: row.componentId,
        runId: row.runId,
        access: row.access,
        tokenHash: row.tokenHash,
        revokedAt: row.revokedAt ?? undefined,
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
    async revokeOfRun(runId, at) {
      const rows = await db
        .update(stateCredentials)
        .set({ revokedAt: at })
        .where(and(eq(stateCredentials.runId, runId), isNull(stateCredentials.revokedAt)))
        .returning({ id: stateCredentials.id });
      return rows.length;
    },
  };
}
