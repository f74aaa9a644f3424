import { stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { PGlite } from "@electric-sql/pglite";
import pino from "pino";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { embeddedDatabaseFiles } from "../../../src/store/embedded-database-files.js";
import {
  type LocalCommandServer,
  serveLocalCommands,
} from "../../../src/store/serve-local-commands.js";
import { pgliteDir, scratchDatabase, type ScratchDatabase } from "../../helpers/databases.js";

/** How long a session may hold the database while silent, here: short, to be waited out. */
const HELD_IDLE_MS = 400;

/**
 * The embedded database served to `bosun` commands while its process keeps using it: statements
 * and transactions of the two sides run whole, one after the other, whatever either side does.
 */
describe("serving the embedded database to local commands", () => {
  let scratch: ScratchDatabase;
  let client: PGlite;
  let server: LocalCommandServer;
  let socket: string;

  /** A command's connection, as src/store/database.ts opens it. */
  const command = (onclose?: () => void) =>
    postgres({
      path: socket,
      user: "postgres",
      pass: "",
      database: "postgres",
      max: 1,
      prepare: false,
      onnotice: () => {},
      ...(onclose ? { onclose } : {}),
    });
  const values = async (table: string) =>
    (await client.query<{ x: number }>(`select x from ${table} order by x`)).rows.map(
      (row) => row.x,
    );

  beforeAll(async () => {
    scratch = await scratchDatabase("pglite", { migrated: true });
    client = await PGlite.create(pgliteDir(scratch.dataDir));
    socket = embeddedDatabaseFiles(pgliteDir(scratch.dataDir)).socket;
    server = await serveLocalCommands(client, socket, pino({ level: "silent" }), {
      heldIdleMs: HELD_IDLE_MS,
    });
  });
  afterAll(async () => {
    await server?.close();
    await client?.close();
    await scratch?.drop();
  });

  it("is a socket only its owner can reach", async () => {
    expect((await stat(socket)).mode & 0o777).toBe(0o600);
    expect((await stat(`${pgliteDir(scratch.dataDir)}.socket`)).mode & 0o777).toBe(0o700);
  });

  it("runs a command's statement after the server's open transaction, never inside it", async () => {
    await client.exec("create table seen (x int)");
    const sql = command();
    let transactionEnded = 0;
    const transaction = client.transaction(async (tx) => {
      await tx.query("insert into seen values (1)");
      await sleep(300);
      await tx.rollback();
      transactionEnded = Date.now();
    });
    await sleep(100);
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from seen`;
    const answered = Date.now();
    await transaction;
    await sql.end();
    expect(row?.n).toBe(0);
    expect(answered).toBeGreaterThanOrEqual(transactionEnded);
  });

  it("keeps the server's writes out of a command's transaction, which it waits for", async () => {
    await client.exec("create table kept (x int)");
    const sql = command();
    const rolledBack = sql
      .begin(async (tx) => {
        await tx`insert into kept values (2)`;
        await sleep(300);
        throw new Error("the command gives up");
      })
      .catch((error: Error) => error.message);
    await sleep(100);
    await client.query("insert into kept values (3)");
    expect(await rolledBack).toBe("the command gives up");
    await sql.end();
    expect(await values("kept")).toEqual([3]);
  });

  it("rolls back what a command that went away left open, and lets the server go on", async () => {
    await client.exec("create table dropped (x int)");
    const sql = command();
    const reserved = await sql.reserve();
    await reserved`begin`;
    await reserved`insert into dropped values (4)`;
    const waiting = client.query("insert into dropped values (5)");
    await sql.end({ timeout: 0 });
    await waiting;
    expect(await values("dropped")).toEqual([5]);
    expect(client.isInTransaction()).toBe(false);
  });

  it("cuts off a command that holds the database and says nothing", async () => {
    await client.exec("create table stalled (x int)");
    let cutOff = false;
    const sql = command(() => (cutOff = true));
    const reserved = await sql.reserve();
    await reserved`begin`;
    await reserved`insert into stalled values (6)`;
    const started = Date.now();
    await client.query("insert into stalled values (7)");
    expect(Date.now() - started).toBeGreaterThanOrEqual(HELD_IDLE_MS - 50);
    expect(await values("stalled")).toEqual([7]);
    await vi.waitFor(() => expect(cutOff).toBe(true));
    reserved.release();
    await sql.end({ timeout: 0 });
  });

  it("serves commands one after another, and the server between their statements", async () => {
    await client.exec("create table shared (x int)");
    const [first, second] = [command(), command()];
    await Promise.all([
      first.begin(async (tx) => {
        await tx`insert into shared values (8)`;
        await sleep(100);
        await tx`insert into shared values (9)`;
      }),
      second`insert into shared values (10)`,
      client.query("insert into shared values (11)"),
    ]);
    await Promise.all([first.end(), second.end()]);
    expect(await values("shared")).toEqual([8, 9, 10, 11]);
    // The migrated tables the commands need are the server's, seen through the same session.
    const reader = command();
    const [row] = await reader<{ n: number }[]>`select count(*)::int as n from repositories`;
    await reader.end();
    expect(row?.n).toBe(0);
  });
});
