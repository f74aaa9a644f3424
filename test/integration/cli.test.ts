import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { testApp } from "../helpers/app-credentials.js";
import { bosunArguments } from "../helpers/bosun-cli.js";
import { databaseKinds, scratchDatabase, type ScratchDatabase } from "../helpers/databases.js";
import { deliver } from "../helpers/deliver.js";
import { example } from "../helpers/webhook-examples.js";

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bosun(
  args: string[],
  env: Record<string, string>,
): ChildProcess & { finished: Promise<Finished> } {
  const child = spawn(process.execPath, bosunArguments(args), {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<Finished>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return Object.assign(child, { finished });
}

async function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${seen}`)),
      timeoutMs,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = seen.split("\n").find((line) => pattern.test(line));
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}

describe("the bosun command", () => {
  const scratches: ScratchDatabase[] = [];
  afterAll(async () => {
    await Promise.all(scratches.map((scratch) => scratch.drop()));
  });

  it("exits 1 with one line per bad variable", async () => {
    const { code, stderr } = await bosun(["start"], {
      PORT: "eighty",
      BOSUN_WORKERS: "-3",
      DATABASE_URL: "mysql://nope",
      BOSUN_ENGINE_PASSTHROUGH_ENV: "AWS_PROFILE,PRIVATE_KEY",
    }).finished;
    expect(code).toBe(1);
    expect(stderr).toContain("PORT: must be a port number");
    expect(stderr).toContain("BOSUN_WORKERS: must be 0 or more");
    expect(stderr).toContain("DATABASE_URL: must be a postgres://");
    expect(stderr).toContain(
      "BOSUN_ENGINE_PASSTHROUGH_ENV: PRIVATE_KEY is Bosun's own (its configuration or credentials): engines never receive it",
    );
  });

  it("exits 1 with a clear message when PostgreSQL cannot be reached at start", async () => {
    const scratch = await scratchDatabase("pglite");
    scratches.push(scratch);
    const { code, stderr } = await bosun(["start"], {
      BOSUN_DATA_DIR: scratch.dataDir,
      DATABASE_URL: "postgres://bosun:hunter2@127.0.0.1:1/bosun",
    }).finished;
    expect(code).toBe(1);
    expect(stderr).toContain("cannot reach PostgreSQL at postgres://bosun:***@127.0.0.1:1/bosun");
    expect(stderr).not.toContain("hunter2");
  });

  it.each(databaseKinds)("migrates on %s and exits 0", async (kind) => {
    const scratch = await scratchDatabase(kind);
    scratches.push(scratch);
    const { code, stdout } = await bosun(["migrate"], scratch.env).finished;
    expect(code).toBe(0);
    expect(stdout).toContain(`migrations applied (${kind === "postgres" ? "postgres" : "pglite"})`);
  });

  it("serves webhooks, then drains and exits 0 on SIGTERM", async () => {
    const scratch = await scratchDatabase("pglite", { migrated: true });
    scratches.push(scratch);
    const child = bosun(["start"], {
      ...scratch.env,
      PORT: String(20_000 + Math.floor(Math.random() * 20_000)),
      APP_ID: testApp.appId,
      PRIVATE_KEY: testApp.privateKey,
      WEBHOOK_SECRET: testApp.webhookSecret,
    });
    const line = await waitForLine(child, /"msg":"listening"/);
    const { port } = JSON.parse(line) as { port: number };
    const payload = example("installation", (p) => p.action === "created");
    const { status } = await deliver(`http://127.0.0.1:${port}`, "installation", payload);
    expect(status).toBe(200);
    child.kill("SIGTERM");
    const { code, stdout } = await child.finished;
    expect(code).toBe(0);
    expect(stdout).toContain('"msg":"stopped"');
  });
});
