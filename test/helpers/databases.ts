import { randomBytes } from "node:crypto";
import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { openDatabase, type Database } from "../../src/store/database.js";

export const POSTGRES_ADMIN_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Where scratch databases find the migrated templates of test/helpers/database-templates.ts. */
export const PGLITE_TEMPLATE_VARIABLE = "BOSUN_TEST_PGLITE_TEMPLATE";
export const POSTGRES_TEMPLATE_VARIABLE = "BOSUN_TEST_POSTGRES_TEMPLATE";

export async function postgresAnswers(): Promise<boolean> {
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

/** Where Bosun keeps its embedded database under BOSUN_DATA_DIR (src/config/load-config.ts). */
export const pgliteDir = (dataDir: string): string => path.join(dataDir, "pgdata");

export const databaseUrl = (name: string): string =>
  POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);

/**
 * A scratch database of the given kind, with its own data dir for keys and artifacts: empty, or
 * with every migration applied when `migrated` (a copy of the template test/helpers/database-
 * templates.ts made for this run, when there is one; Bosun's own migrate finds nothing to do).
 */
export async function scratchDatabase(
  kind: "pglite" | "postgres",
  { migrated = false } = {},
): Promise<ScratchDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "bosun-test-"));
  if (kind === "pglite") {
    const template = migrated ? process.env[PGLITE_TEMPLATE_VARIABLE] : undefined;
    if (template) await cp(template, pgliteDir(dataDir), { recursive: true });
    return {
      env: { BOSUN_DATA_DIR: dataDir },
      dataDir,
      url: undefined,
      drop: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `bosun_test_${randomBytes(6).toString("hex")}`;
  const template = migrated ? process.env[POSTGRES_TEMPLATE_VARIABLE] : undefined;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}${template ? ` template ${template}` : ""}`);
  await admin.end();
  const url = databaseUrl(name);
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
  const scratch = await scratchDatabase(kind, { migrated: migrate });
  let database: Database | undefined;
  try {
    database = await openDatabase(
      scratch.url
        ? { kind: "postgres", url: scratch.url }
        : { kind: "pglite", dataDir: pgliteDir(scratch.dataDir) },
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
