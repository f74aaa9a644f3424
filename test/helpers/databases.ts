import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { openDatabase, type Database } from "../../src/store/database.js";

export const POSTGRES_ADMIN_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function postgresAnswers(): Promise<boolean> {
  const sql = postgres(POSTGRES_ADMIN_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * The databases the storage tests run on: PGlite always, the local PostgreSQL 15 whenever it
 * answers. In CI it must answer: a silently skipped PostgreSQL run would hide PG-15-only failures.
 */
export const databaseKinds: readonly ("pglite" | "postgres")[] = (await postgresAnswers())
  ? ["pglite", "postgres"]
  : process.env.CI
    ? (() => {
        throw new Error(`CI: PostgreSQL at ${POSTGRES_ADMIN_URL} does not answer`);
      })()
    : ["pglite"];

export interface ScratchDatabase {
  /** Environment variables that point Bosun at this database. */
  env: Record<string, string>;
  dataDir: string;
  url: string | undefined;
  drop(): Promise<void>;
}

/** A fresh, empty database of the given kind, with its own data dir for keys and artifacts. */
export async function scratchDatabase(kind: "pglite" | "postgres"): Promise<ScratchDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "bosun-test-"));
  if (kind === "pglite") {
    return {
      env: { BOSUN_DATA_DIR: dataDir },
      dataDir,
      url: undefined,
      drop: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `bosun_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    env: { BOSUN_DATA_DIR: dataDir, DATABASE_URL: url },
    dataDir,
    url,
    async drop() {
      const sql = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
      await sql.unsafe(`drop database if exists ${name} with (force)`);
      await sql.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface OpenScratchDatabase {
  scratch: ScratchDatabase;
  database: Database;
  /** Closes the database, then drops it with its data dir. */
  close(): Promise<void>;
}

/**
 * A scratch database of the given kind, opened as Bosun opens it and migrated unless `migrate`
 * is false (for tests of migrating itself). Nothing is left behind if opening or migrating fails.
 */
export async function openScratchDatabase(
  kind: "pglite" | "postgres",
  { migrate = true } = {},
): Promise<OpenScratchDatabase> {
  const scratch = await scratchDatabase(kind);
  let database: Database | undefined;
  try {
    database = await openDatabase(
      scratch.url
        ? { kind: "postgres", url: scratch.url }
        : { kind: "pglite", dataDir: scratch.dataDir },
    );
    if (migrate) await database.migrate();
  } catch (error) {
    await database?.close();
    await scratch.drop();
    throw error;
  }
  const opened = database;
  return {
    scratch,
    database: opened,
    async close() {
      await opened.close();
      await scratch.drop();
    },
  };
}
