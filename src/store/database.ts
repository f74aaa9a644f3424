import { chmod, mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { count, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { Logger } from "pino";
import type { InTransaction, Transaction } from "../services/queue-port.js";
import * as schema from "./schema/index.js";
import type { DatabaseTarget } from "../config/database-target.js";
import { tryLockDataDir, type LockRole } from "./data-dir-lock.js";
import { DatabaseError } from "./database-error.js";
import { embeddedDatabaseFiles } from "./embedded-database-files.js";
import { heldDataDirMessage } from "./held-data-dir-message.js";
import { type LocalCommandServer, serveLocalCommands } from "./serve-local-commands.js";
import { socketAnswers } from "./socket-answers.js";

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
  /** Applies `migrations/`, under the migration lock: any number of processes may call it at once. */
  migrate(): Promise<void>;
  /**
   * Runs `work` while this process holds the migration lock, a PostgreSQL advisory lock on a fixed
   * key, so that processes starting together against one database install schemas one at a time
   * (Bosun's and pg-boss's). The embedded database has one process at a time already: no lock.
   */
  underMigrationLock<T>(work: () => Promise<T>): Promise<T>;
  /** Database reachable and every migration in `migrations/` applied. */
  isReady(): Promise<boolean>;
  /**
   * Lets the `bosun` commands of this machine use the embedded database while this process has it
   * open (src/store/serve-local-commands.ts). Nothing to do on PostgreSQL or in memory.
   */
  serveLocalCommands(log: Logger): Promise<void>;
  close(): Promise<void>;
}

type PgliteTarget = Extract<DatabaseTarget, { kind: "pglite" }>;

/**
 * How long an opener waits for an embedded database that another process holds: a `bosun`
 * command holds it for a moment, and a Bosun starting up opens and migrates it before it serves
 * commands.
 */
const HELD_WAIT_MS = 10_000;

/**
 * The advisory lock key of schema changes: fixed, so every Bosun of every version agrees on it.
 * The bytes of "bosun-mg" read as a 64-bit integer; nothing else in the database uses it.
 */
const MIGRATION_LOCK_KEY = "7093014886328659303";
const HELD_POLL_MS = 200;

/**
 * Opens the database for this process: a PostgreSQL pool, or the embedded database, which this
 * process then holds alone (its lock file says so) until it closes it. `role` says what the lock
 * tells others: a `server` is a running Bosun, a `command` is gone in a moment.
 */
export async function openDatabase(
  target: DatabaseTarget,
  { role = "command", waitMs = HELD_WAIT_MS }: { role?: LockRole; waitMs?: number } = {},
): Promise<Database> {
  if (target.kind === "postgres") return openPostgres(target);
  return openPglite(
    target,
    target.dataDir ? await holdDataDir(target.dataDir, role, waitMs) : undefined,
  );
}

/**
 * Opens the database for one `bosun` command. On the embedded database that a running Bosun has
 * open, the command goes through the socket that Bosun serves it on; otherwise it opens the data
 * directory itself, as `openDatabase` does, removing a socket that a crashed Bosun left behind.
 */
export async function openDatabaseForCommand(
  target: DatabaseTarget,
  { waitMs = HELD_WAIT_MS }: { waitMs?: number } = {},
): Promise<Database> {
  if (target.kind === "postgres" || !target.dataDir) return openDatabase(target);
  const dataDir = target.dataDir;
  const files = embeddedDatabaseFiles(dataDir);
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (files.socketFits && (await socketAnswers(files.socket))) {
      return openLocalSocket(target, files.socket);
    }
    const attempt = await tryLockDataDir(files.lock, "command");
    if (attempt.kind === "locked") {
      await rm(files.socket, { force: true });
      return openPglite(target, attempt);
    }
    // A Bosun that has the lock serves commands once it has opened and migrated the database,
    // unless its socket's path is too long; a lock that names no process stays as it is.
    const waiting = attempt.holder && (attempt.holder.role === "command" || files.socketFits);
    if (!waiting || Date.now() >= deadline) {
      throw new DatabaseError(heldDataDirMessage(dataDir, attempt.holder, "command"));
    }
    await sleep(HELD_POLL_MS);
  }
}

/** Takes the data directory's lock, waiting a while for a command that holds it. */
async function holdDataDir(
  dataDir: string,
  role: LockRole,
  waitMs: number,
): Promise<{ release(): Promise<void> }> {
  const { lock } = embeddedDatabaseFiles(dataDir);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const attempt = await tryLockDataDir(lock, role);
    if (attempt.kind === "locked") return attempt;
    // A running Bosun keeps it for as long as it runs, and a lock that names no process stays as
    // it is: no use waiting for either.
    if (attempt.holder?.role !== "command" || Date.now() >= deadline) {
      throw new DatabaseError(heldDataDirMessage(dataDir, attempt.holder, role));
    }
    await sleep(HELD_POLL_MS);
  }
}

async function openPostgres(target: { kind: "postgres"; url: string }): Promise<Database> {
  const client = postgres(target.url, {
    max: 10,
    onnotice: () => {},
    connect_timeout: 10,
    // Bosun's tables use UTC timestamps; the session default does not matter to drizzle.
    connection: { application_name: "bosun" },
  });
  await answering(client, `cannot reach PostgreSQL at ${redactUrl(target.url)}`);
  return postgresDatabase(client, target, { connectionString: target.url }, underAdvisoryLock);
}

/**
 * A command's connection to the embedded database that a running Bosun serves. One connection:
 * PGlite is one session, which the server shares out one statement or transaction at a time.
 * Unnamed statements only, so the command leaves nothing behind in that session.
 */
async function openLocalSocket(target: PgliteTarget, socketPath: string): Promise<Database> {
  const client = postgres({
    path: socketPath,
    // PGlite's own user and database; named here so PG* variables meant for DATABASE_URL's
    // server are not sent to this one.
    user: "postgres",
    pass: "",
    database: "postgres",
    ssl: false,
    max: 1,
    prepare: false,
    onnotice: () => {},
    connect_timeout: 10,
    connection: { application_name: "bosun" },
  });
  await answering(
    client,
    `cannot use the embedded database through ${socketPath}, where the running Bosun serves it`,
  );
  // pg-boss's own pool would reach the socket by its directory, as libpq does.
  const connectionString = `postgres://postgres@localhost/postgres?host=${encodeURIComponent(path.dirname(socketPath))}`;
  // The embedded database's one session is shared: the running Bosun migrated it at its start,
  // and a lock taken on this single connection would leave none for the work it guards.
  return postgresDatabase(client, target, { connectionString }, (_client, work) => work());
}

/** Asks the server one question, so a wrong address fails here with `failure` and the reason. */
async function answering(client: postgres.Sql, failure: string): Promise<void> {
  try {
    await client`select 1`;
  } catch (cause) {
    await client.end({ timeout: 1 });
    throw new DatabaseError(`${failure}: ${String((cause as Error).message ?? cause)}`, { cause });
  }
}

/**
 * Holds the migration lock on a connection of its own for as long as `work` runs. A session lock,
 * not a transaction's: drizzle's migrator and pg-boss open their own transactions on other
 * connections. A process that dies while holding it loses its connection, and with it the lock.
 */
async function underAdvisoryLock<T>(client: postgres.Sql, work: () => Promise<T>): Promise<T> {
  const connection = await client.reserve();
  try {
    await connection`select pg_advisory_lock(${MIGRATION_LOCK_KEY}::bigint)`;
    try {
      return await work();
    } finally {
      await connection`select pg_advisory_unlock(${MIGRATION_LOCK_KEY}::bigint)`;
    }
  } finally {
    connection.release();
  }
}

function postgresDatabase(
  client: postgres.Sql,
  target: DatabaseTarget,
  queueConnection: { connectionString: string },
  lock: <T>(client: postgres.Sql, work: () => Promise<T>) => Promise<T>,
): Database {
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  const underMigrationLock = <T>(work: () => Promise<T>) => lock(client, work);
  return {
    db,
    target,
    queueConnection,
    transaction: async <T>(work: (transaction: Transaction) => Promise<T>) =>
      // postgres.js types the result UnwrapPromiseArray<T>: T itself, unless T is an array of promises.
      (await client.begin((tx) => work(preparedStatements(tx)))) as T,
    // Each process waits its turn, then finds the migrations the first one applied recorded in
    // drizzle.__drizzle_migrations and applies nothing.
    migrate: () =>
      underMigrationLock(() =>
        migratePostgres(drizzlePostgres(client, { schema }), { migrationsFolder }),
      ),
    underMigrationLock,
    isReady: () => migrationsApplied(db),
    serveLocalCommands: () => Promise.resolve(),
    close: () => client.end({ timeout: 5 }),
  };
}

/** Opens PGlite in memory, or in a data directory whose lock the caller holds (released at close). */
async function openPglite(
  target: PgliteTarget,
  lock: { release(): Promise<void> } | undefined,
): Promise<Database> {
  let client: PGlite;
  try {
    if (target.dataDir) {
      await mkdir(target.dataDir, { recursive: true });
      // The data directory is 0711 for engines to reach their workspaces (uid isolation): the
      // database itself is Bosun's alone.
      await chmod(target.dataDir, 0o700);
    }
    client = await PGlite.create(target.dataDir);
  } catch (cause) {
    await lock?.release();
    throw new DatabaseError(`cannot open the embedded database in ${target.dataDir ?? "memory"}`, {
      cause,
    });
  }
  const drizzled = drizzlePglite(client, { schema });
  const db = drizzled as unknown as Db;
  let localCommands: LocalCommandServer | undefined;
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
    underMigrationLock: (work) => work(),
    isReady: () => migrationsApplied(db),
    async serveLocalCommands(log) {
      if (!target.dataDir || localCommands) return;
      const { socket, socketFits } = embeddedDatabaseFiles(target.dataDir);
      if (!socketFits) {
        log.warn(
          { socket },
          "bosun commands cannot reach the embedded database while this process runs: the socket's path is too long for a Unix socket (a shorter BOSUN_DATA_DIR fixes it)",
        );
        return;
      }
      try {
        localCommands = await serveLocalCommands(client, socket, log);
        log.info({ socket }, "bosun commands reach the embedded database through a socket");
      } catch (error) {
        // The server runs on; commands say that it holds the database and does not serve them.
        log.warn(
          { err: error, socket },
          "bosun commands cannot reach the embedded database while this process runs",
        );
      }
    },
    async close() {
      try {
        await localCommands?.close();
        await client.close();
      } finally {
        await lock?.release();
      }
    },
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
