import { and, desc, eq, notExists, notInArray, sql } from "drizzle-orm";
import type {
  ComponentStateTransaction,
  StateLockRecord,
  StateStore,
  StateVersionHead,
} from "../services/state-port.js";
import type { Db } from "./database.js";
import { components, revisions, stateLocks, stateVersions } from "./schema/index.js";

export class StateStoreError extends Error {
  override readonly name = "StateStoreError";
  constructor(
    readonly code: "unknown-component",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const head = {
  id: stateVersions.id,
  componentId: stateVersions.componentId,
  serial: stateVersions.serial,
  lineage: stateVersions.lineage,
  digest: stateVersions.digest,
  size: stateVersions.size,
  runId: stateVersions.runId,
  createdAt: stateVersions.createdAt,
};

type HeadRow = { runId: string | null } & Omit<StateVersionHead, "runId">;
type LockRow = typeof stateLocks.$inferSelect;

function toHead<T extends HeadRow>(row: T): Omit<T, "runId"> & { runId: string | undefined } {
  return { ...row, runId: row.runId ?? undefined };
}

function toLock(row: LockRow): StateLockRecord {
  return {
    componentId: row.componentId,
    lockId: row.lockId,
    info: row.info,
    runId: row.runId ?? undefined,
    acquiredAt: row.acquiredAt,
  };
}

export function createStateRepository(db: Db): StateStore {
  return {
    exclusive(componentId, work) {
      return db.transaction(async (tx) => {
        // Every writer, locker and unlocker of a component queues on its row, so the lock check and
        // the serial check see what the write they guard will follow. NO KEY UPDATE (not UPDATE)
        // still lets the foreign keys that point at the component take their KEY SHARE locks.
        const [component] = await tx
          .select({ id: components.id })
          .from(components)
          .where(eq(components.id, componentId))
          .for("no key update");
        if (!component) {
          throw new StateStoreError("unknown-component", `no component ${componentId}`);
        }
        const scope: ComponentStateTransaction = {
          async lock() {
            const [row] = await tx
              .select()
              .from(stateLocks)
              .where(eq(stateLocks.componentId, componentId));
            return row && toLock(row);
          },
          async latest() {
            const [row] = await tx
              .select(head)
              .from(stateVersions)
              .where(eq(stateVersions.componentId, componentId))
              .orderBy(desc(stateVersions.serial))
              .limit(1);
            return row && toHead(row);
          },
          async appendVersion(version) {
            const [row] = await tx
              .insert(stateVersions)
              .values({ componentId, ...version, runId: version.runId ?? null })
              .returning(head);
            return toHead(row!);
          },
          async takeLock(lock) {
            await tx.insert(stateLocks).values({ componentId, ...lock, runId: lock.runId ?? null });
          },
          async dropLock() {
            await tx.delete(stateLocks).where(eq(stateLocks.componentId, componentId));
          },
        };
        return work(scope);
      });
    },

    async latest(componentId) {
      const [row] = await db
        .select({ ...head, sealedBody: stateVersions.sealedBody })
        .from(stateVersions)
        .where(eq(stateVersions.componentId, componentId))
        .orderBy(desc(stateVersions.serial))
        .limit(1);
      return row && toHead(row);
    },

    async latestHead(componentId) {
      const [row] = await db
        .select(head)
        .from(stateVersions)
        .where(eq(stateVersions.componentId, componentId))
        .orderBy(desc(stateVersions.serial))
        .limit(1);
      return row && toHead(row);
    },

    async versions(componentId) {
      const rows = await db
        .select(head)
        .from(stateVersions)
        .where(eq(stateVersions.componentId, componentId))
        .orderBy(desc(stateVersions.serial));
      return rows.map(toHead);
    },

    async pruneVersions(componentId, keep) {
      const newest = db
        .select({ id: stateVersions.id })
        .from(stateVersions)
        .where(eq(stateVersions.componentId, componentId))
        .orderBy(desc(stateVersions.serial))
        .limit(keep);
      const pointedAt = db
        .select({ one: sql`1` })
        .from(revisions)
        .where(eq(revisions.stateVersionId, stateVersions.id));
      const deleted = await db
        .delete(stateVersions)
        .where(
          and(
            eq(stateVersions.componentId, componentId),
            notInArray(stateVersions.id, newest),
            notExists(pointedAt),
          ),
        )
        .returning({ id: stateVersions.id });
      return deleted.length;
    },

    async releaseLocksOfRun(runId, componentId) {
      const rows = await db
        .delete(stateLocks)
        .where(
          componentId === undefined
            ? eq(stateLocks.runId, runId)
            : and(eq(stateLocks.runId, runId), eq(stateLocks.componentId, componentId)),
        )
        .returning();
      return rows.map(toLock);
    },
  };
}
