import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  type Database,
  openDatabase,
  openDatabaseForCommand,
} from "../../../src/store/database.js";
import { DatabaseError } from "../../../src/store/database-error.js";
import { embeddedDatabaseFiles } from "../../../src/store/embedded-database-files.js";
import { repositories } from "../../../src/store/schema/index.js";
import { pgliteDir, scratchDatabase, type ScratchDatabase } from "../../helpers/databases.js";
import { seedRepository } from "../../helpers/seed.js";

/** Leaves a socket file nothing listens on, as a Bosun killed while serving does. */
async function leaveStaleSocket(socket: string): Promise<void> {
  await mkdir(path.dirname(socket), { recursive: true, mode: 0o700 });
  const child = spawn(process.execPath, [
    "-e",
    `require("node:net").createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, "SIGKILL"))`,
  ]);
  await new Promise((resolve) => child.once("exit", resolve));
  expect((await stat(socket)).isSocket()).toBe(true);
}

describe("a bosun command's embedded database", () => {
  const opened: Database[] = [];
  let scratch: ScratchDatabase | undefined;
  afterEach(async () => {
    for (const database of opened.splice(0).reverse()) await database.close();
    await scratch?.drop();
  });

  async function migratedDataDir() {
    scratch = await scratchDatabase("pglite", { migrated: true });
    const dataDir = pgliteDir(scratch.dataDir);
    return { dataDir, target: { kind: "pglite", dataDir } as const };
  }
  const open = async (database: Promise<Database>) => {
    const it = await database;
    opened.push(it);
    return it;
  };

  it("is the data directory itself when no Bosun runs, with a crashed one's socket removed", async () => {
    const { dataDir, target } = await migratedDataDir();
    const files = embeddedDatabaseFiles(dataDir);
    await leaveStaleSocket(files.socket);
    const database = await open(openDatabaseForCommand(target));
    expect(await database.isReady()).toBe(true);
    expect(await readdir(path.dirname(files.socket))).toEqual([]);
    expect((await stat(files.lock)).isFile()).toBe(true);
    await opened.pop()?.close();
    await expect(stat(files.lock)).rejects.toThrow();
  });

  it("goes through the socket of the Bosun that has it open", async () => {
    const { dataDir, target } = await migratedDataDir();
    const server = await open(openDatabase(target, { role: "server" }));
    await server.serveLocalCommands(pino({ level: "silent" }));
    const command = await open(openDatabaseForCommand(target));
    expect(await command.isReady()).toBe(true);
    await seedRepository(command.db);
    expect(await server.db.select().from(repositories)).toHaveLength(1);
    // Closing the command's connection leaves the server's database and lock as they were.
    await opened.pop()?.close();
    expect(await server.isReady()).toBe(true);
    const lock = await readFile(embeddedDatabaseFiles(dataDir).lock, "utf8");
    expect(JSON.parse(lock)).toMatchObject({ pid: process.pid, role: "server" });
  });

  it("says who holds it when it cannot be had", async () => {
    const { dataDir, target } = await migratedDataDir();
    await open(openDatabase(target, { role: "server" }));
    const refused = openDatabaseForCommand(target, { waitMs: 0 });
    await expect(refused).rejects.toThrow(DatabaseError);
    await expect(refused).rejects.toThrow(
      `the embedded database in ${dataDir} is held by a running Bosun (pid ${process.pid}) that does not serve local commands (nothing answers on ${embeddedDatabaseFiles(dataDir).socket}); stop it, then run the command again`,
    );
    await expect(openDatabase(target, { role: "server", waitMs: 0 })).rejects.toThrow(
      `the embedded database in ${dataDir} is already open in a running Bosun (pid ${process.pid})`,
    );
    await opened.pop()?.close();

    await open(openDatabase(target));
    await expect(openDatabaseForCommand(target, { waitMs: 0 })).rejects.toThrow(
      `the embedded database in ${dataDir} is in use by a bosun command (pid ${process.pid}); run this command again when it has finished`,
    );
  });
});
