import { chmod, mkdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { count, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { InTransaction, Transaction } from "../services/queue-port.js";
import * as schema from "./schema/index.js";
import type { DatabaseTarget } from "../config/database-target.js";

export const migrationsFolder = fileURLToPath(new URL("../../migrations", import.meta.url));

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** What pg-boss needs to run its SQL: one complete statement or transaction per call. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface Database {
  readonly db: Db;
  readonly target: DatabaseTarget;
  /**
   * For the job queue: the PostgreSQL URL (pg-boss brings its own pool), or, on PGlite, an executor
   * over the same single-session instance, which serialises every statement.
   */
  readonly queueConnection: { connectionString: string } | { executor: SqlExecutor };
  /** One transaction on one connection, for raw statements of the store and the queue alike. */
  readonly transaction: InTransaction;
  migrate(): Promise<void>;
  /** Database reachable and every migration in `migrations/` applied. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

export class DatabaseError extends Error {
  override readonly name = "DatabaseError";
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === "postgres" ? openPostgres(target) : openPglite(target);
}

async function openPostgres(target: { kind: "postgres"; url: string }): Promise<Database> {
  const client = postgres(target.url, {
    max: 10,
    onnotice: () => {},
    connect_timeout: 10,
    // Bosun's tables use UTC timestamps; the session default does not matter to drizzle.
    connection: { application_name: "bosun" },
  });
  try {
    await client`select 1`;
  } catch (cause) {
    await client.end({ timeout: 1 });
    throw new DatabaseError(
      `cannot reach PostgreSQL at ${redactUrl(target.url)}: ${String((cause as Error).message ?? cause)}`,
      { cause },
    );
  }
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return {
    db,
    target,
    queueConnection: { connectionString: target.url },
    transaction: async <T>(work: (transaction: Transaction) => Promise<T>) =>
      // postgres.js types the result UnwrapPromiseArray<T>: T itself, unless T is an array of promises.
      (await client.begin((tx) => work(preparedStatements(tx)))) as T,
    migrate: () => migratePostgres(drizzlePostgres(client, { schema }), { migrationsFolder }),
    isReady: () => migrationsApplied(db),
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(target: {
  kind: "pglite";
  dataDir: string | undefined;
}): Promise<Database> {
  if (target.dataDir) {
    await mkdir(target.dataDir, { recursive: true });
    // The data directory is 0711 for engines to reach their workspaces (uid isolation): the
    // database itself is Bosun's alone.
    await chmod(target.dataDir, 0o700);
  }
  let client: PGlite;
  try {
    client = await PGlite.create(target.dataDir);
  } catch (cause) {
    throw new DatabaseError(`cannot open the embedded database in ${target.dataDir ?? "memory"}`, {
      cause,
    });
  }
  const drizzled = drizzlePglite(client, { schema });
  const db = drizzled as unknown as Db;
  const executor: SqlExecutor = {
    async executeSql(text, values = []) {
      if (values.length > 0) return { rows: (await client.query(text, values)).rows };
      // pg-boss sends parameterless "BEGIN; …; COMMIT" scripts, which only exec() accepts.
      const results = await client.exec(text);
      return { rows: results.at(-1)?.rows ?? [] };
    },
  };
  return {
    db,
    target,
    queueConnection: { executor },
    transaction: (work) =>
      client.transaction((tx) =>
        work({
          executeSql: async (text, values = []) => ({ rows: (await tx.query(text, values)).rows }),
        }),
      ),
    migrate: () => migratePglite(drizzled, { migrationsFolder }),
    isReady: () => migrationsApplied(db),
    close: () => client.close(),
  };
}

/**
 * Raw statements as named prepared statements: parsed and described once per connection, then one
 * round trip each (postgres.js otherwise describes a parameterised statement before every run).
 */
function preparedStatements(tx: postgres.TransactionSql): Transaction {
  return {
    async executeSql(text, values = []) {
      const parameters = values.map(asParameter) as postgres.ParameterOrJSON<never>[];
      return { rows: await tx.unsafe(text, parameters, { prepare: true }) };
    },
  };
}

/**
 * A value as node-postgres would send it, which is what pg-boss's statements are written for:
 * undefined (an option left unset) is null, and an object is JSON (postgres.js would refuse both).
 */
function asParameter(value: unknown): unknown {
  if (value === undefined) return null;
  if (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  ) {
    return JSON.stringify(value);
  }
  return value;
}

async function migrationsApplied(db: Db): Promise<boolean> {
  try {
    const journal = JSON.parse(
      await readFile(`${migrationsFolder}/meta/_journal.json`, "utf8"),
    ) as { entries: unknown[] };
    const [row] = await db.select({ applied: count() }).from(sql`drizzle.__drizzle_migrations`);
    return (row?.applied ?? 0) >= journal.entries.length;
  } catch {
    return false;
  }
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
