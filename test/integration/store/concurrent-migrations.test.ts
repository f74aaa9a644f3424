import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import { migrationsFolder } from "../../../src/store/database.js";
import { bosunQueues } from "../../../src/queue/bosun-queues.js";
import { bosunArguments } from "../../helpers/bosun-cli.js";
import { databaseKinds, scratchDatabase, type ScratchDatabase } from "../../helpers/databases.js";

interface Bosun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `bosun ARGS` as a process of its own, as a pod or a migration job starts it. */
function bosun(args: string[], env: Record<string, string>): Bosun {
  const child = spawn(process.execPath, bosunArguments(args), {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, output: () => output, exited };
}

async function listening(process: Bosun, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!process.output().includes('"msg":"listening"')) {
    if (process.child.exitCode !== null) {
      throw new Error(`bosun exited ${process.child.exitCode}:\n${process.output()}`);
    }
    if (Date.now() > deadline) throw new Error(`not listening in time:\n${process.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const journalEntries = async (): Promise<number> =>
  (
    JSON.parse(await readFile(`${migrationsFolder}/meta/_journal.json`, "utf8")) as {
      entries: unknown[];
    }
  ).entries.length;

// The advisory lock is PostgreSQL's: the embedded database has one process at a time anyway.
describe.each(databaseKinds.filter((kind) => kind === "postgres"))(
  "processes starting together on one empty %s database",
  (kind) => {
    let scratch: ScratchDatabase | undefined;
    const started: Bosun[] = [];
    afterEach(async () => {
      for (const process of started.splice(0)) {
        if (process.child.exitCode === null) process.child.kill("SIGKILL");
        await process.exited;
      }
      await scratch?.drop();
      scratch = undefined;
    });

    const environment = (database: ScratchDatabase) => ({
      ...database.env,
      BOSUN_ENCRYPTION_KEY: "a".repeat(64),
    });

    it("two `bosun migrate` at once both succeed, and the schema is made once", async () => {
      scratch = await scratchDatabase(kind);
      const env = environment(scratch);
      const both = [bosun(["migrate"], env), bosun(["migrate"], env)];
      started.push(...both);
      const codes = await Promise.all(both.map((process) => process.exited));
      expect(codes, both.map((process) => process.output()).join("\n")).toEqual([0, 0]);
      for (const process of both) expect(process.output()).toContain("migrations applied");

      const sql = postgres(scratch.url!, { max: 1, onnotice: () => {} });
      try {
        const [applied] = await sql<{ n: number }[]>`
          select count(*)::int as n from drizzle.__drizzle_migrations`;
        expect(applied?.n).toBe(await journalEntries());
        const [tables] = await sql<{ n: number }[]>`
          select count(*)::int as n from information_schema.tables
          where table_schema = 'public' and table_name in ('runs', 'state_versions', 'webhook_deliveries')`;
        expect(tables?.n).toBe(3);
      } finally {
        await sql.end();
      }
    });

    it("two servers starting at once both serve, with one pg-boss schema and each queue once", async () => {
      scratch = await scratchDatabase(kind);
      const env = environment(scratch);
      const port = () => String(20_000 + Math.floor(Math.random() * 20_000));
      // Web only, without App credentials: the start path still migrates and starts the queue.
      const both = [
        bosun(["web"], { ...env, PORT: port() }),
        bosun(["web"], { ...env, PORT: port() }),
      ];
      started.push(...both);
      await Promise.all(both.map((process) => listening(process)));
      for (const process of both) expect(process.output()).toContain('"msg":"database migrated"');

      const sql = postgres(scratch.url!, { max: 1, onnotice: () => {} });
      try {
        const [applied] = await sql<{ n: number }[]>`
          select count(*)::int as n from drizzle.__drizzle_migrations`;
        expect(applied?.n).toBe(await journalEntries());
        const versions = await sql`select version from pgboss.version`;
        expect(versions).toHaveLength(1);
        // pg-boss's own (its cron's send-it queue) are left out.
        const queues = await sql<{ name: string }[]>`
          select name from pgboss.queue where name not like '\_\_pgboss\_\_%' order by name`;
        const expected = bosunQueues({
          runTimeoutMs: 3_600_000,
          reportExpiryMs: 60_000,
          notifications: { timeoutMs: 10_000 },
        }).map((queue) => queue.name);
        expect(queues.map((queue) => queue.name)).toEqual([...expected].sort());
        // Each scheduled queue's cron once, the daily garbage collection among them.
        const schedules = await sql<{ name: string; cron: string }[]>`
          select name, cron from pgboss.schedule order by name`;
        expect(schedules).toEqual([
          { name: "collect-garbage", cron: "17 3 * * *" },
          { name: "drift-tick", cron: "* * * * *" },
          { name: "notify-sweep", cron: "* * * * *" },
        ]);
      } finally {
        await sql.end();
      }
    });
  },
);
