import { type ChildProcess, spawn } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { generateEncryptionKey } from "../../src/lib/seal.js";
import { openDatabase } from "../../src/store/database.js";
import { embeddedDatabaseFiles } from "../../src/store/embedded-database-files.js";
import { bosunArguments } from "../helpers/bosun-cli.js";
import { pgliteDir, scratchDatabase, type ScratchDatabase } from "../helpers/databases.js";
import { seedRepository } from "../helpers/seed.js";
import { freePort } from "../helpers/test-bosun.js";

/**
 * The commands run the real entry point, as `npx bosun` does: src/ through tsx unless dist/ is up
 * to date. The servers run the suite's JavaScript copy of src/, which starts faster.
 */
const BIN = fileURLToPath(new URL("../../bin/bosun.js", import.meta.url));

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Operator commands on the embedded database while Bosun runs, and after it stops or crashes: each
 * a process of its own, as an operator runs them beside `npm start`.
 */
describe("bosun commands beside a running Bosun on the embedded database", () => {
  let scratch: ScratchDatabase;
  const servers: ChildProcess[] = [];
  afterAll(async () => {
    for (const server of servers) if (server.exitCode === null) server.kill("SIGKILL");
    await scratch?.drop();
  });

  function spawnBosun(nodeArguments: string[], env: Record<string, string>, input?: string) {
    const child = spawn(process.execPath, nodeArguments, {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stdin.end(input ?? "");
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const finished = new Promise<Finished>((resolve) =>
      child.once("exit", (code) => resolve({ code, stdout, stderr })),
    );
    return Object.assign(child, { finished });
  }
  const bosun = (args: string[], env: Record<string, string>, input?: string) =>
    spawnBosun(["--liftoff-only", BIN, ...args], env, input);

  async function startServer(env: Record<string, string>) {
    const port = await freePort();
    const server = spawnBosun(bosunArguments(["start"]), {
      ...env,
      PORT: String(port),
      LOG_LEVEL: "warn",
    });
    servers.push(server);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return { server, port };
      if (server.exitCode !== null || Date.now() > deadline) {
        throw new Error(`bosun start is not ready: ${JSON.stringify(await server.finished)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("sets and lists a secret through the running Bosun, then without it, then after a crash", async () => {
    scratch = await scratchDatabase("pglite", { migrated: true });
    const dataDir = pgliteDir(scratch.dataDir);
    const seeded = await openDatabase({ kind: "pglite", dataDir });
    await seedRepository(seeded.db);
    await seeded.close();
    const env = { ...scratch.env, BOSUN_ENCRYPTION_KEY: generateEncryptionKey().text };
    const files = embeddedDatabaseFiles(dataDir);
    const list = () => bosun(["secrets", "list", "acme/infra", "network"], env).finished;

    const { server, port } = await startServer(env);
    expect((await stat(files.socket)).isSocket()).toBe(true);
    const set = await bosun(
      ["secrets", "set", "acme/infra", "network", "TF_VAR_db_password", "--scope", "both"],
      env,
      "hunter2-value",
    ).finished;
    expect(set).toMatchObject({ code: 0, stderr: "" });
    const listed = await list();
    expect(listed).toMatchObject({ code: 0, stderr: "" });
    expect(listed.stdout).toMatch(/^TF_VAR_db_password\tboth\t/);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    server.kill("SIGTERM");
    expect((await server.finished).code).toBe(0);
    await expect(stat(files.lock)).rejects.toThrow();
    const direct = await list();
    expect(direct).toMatchObject({ code: 0, stderr: "" });
    expect(direct.stdout).toContain("TF_VAR_db_password\tboth");

    // Killed while serving: its lock and socket stay behind, and nothing answers on the socket.
    const crashed = await startServer(env);
    crashed.server.kill("SIGKILL");
    await crashed.server.finished;
    expect((await stat(files.socket)).isSocket()).toBe(true);
    const afterCrash = await list();
    expect(afterCrash).toMatchObject({ code: 0, stderr: "" });
    expect(afterCrash.stdout).toContain("TF_VAR_db_password\tboth");
    expect(await readdir(path.dirname(files.socket))).toEqual([]);
    await expect(stat(files.lock)).rejects.toThrow();
  });
});
