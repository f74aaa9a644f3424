import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEncryptionKey } from "../../../src/lib/seal.js";
import { runComponents, stateCredentials } from "../../../src/store/schema/index.js";
import { databaseKinds, scratchDatabase, type ScratchDatabase } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  startGithubFake,
  type GithubFake,
  type FakeRepository,
} from "../../helpers/github-fake/index.js";
import {
  inRepository,
  openedExample,
  stagePullRequest,
} from "../../helpers/pull-request-scenario.js";
import { standInWith } from "../../helpers/stand-in.js";
import { stateClient } from "../../helpers/state-client.js";
import { freePort, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";
import { startWorkerProcess, type WorkerProcess } from "../../helpers/worker-process.js";

const repository = { id: 990_002, fullName: "Codertocat/credential-expiry" };
// A short run timeout makes a short credential lifetime: 5 s plus a 5 s margin.
const RUN_TIMEOUT = "5s";

// Worker processes share a database server, not an embedded one.
describe.runIf(databaseKinds.includes("postgres"))("the state credential of a dead worker", () => {
  const { text: encryptionKey } = generateEncryptionKey();
  let scratch: ScratchDatabase;
  let web: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    scratch = await scratchDatabase("postgres");
    const port = await freePort();
    // Web only, and no other worker: nothing recovers the dead worker's component or revokes
    // its credential; only the expiry can end it.
    web = await startTestBosun("postgres", {
      scratch,
      port,
      env: {
        BOSUN_WORKERS: "0",
        BOSUN_ENCRYPTION_KEY: encryptionKey,
        BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
      },
    });
    github = await startGithubFake();
    repo = github.repository(repository.fullName);
    await stagePullRequest(repo);
  });
  afterAll(async () => {
    await worker?.cleanup();
    await github?.close();
    await web?.close();
    await scratch?.drop();
    github?.verify();
  });

  it("is refused once its lifetime is over, though the SIGKILLed worker never revoked it", async () => {
    // The engine writes down the credential it was given (a test's eyes only), then plans slowly.
    const dir = await mkdtemp(path.join(os.tmpdir(), "bosun-expiry-"));
    const seen = path.join(dir, "credentials");
    const slow = await standInWith({ STANDIN_DELAY_MS: "120000" });
    const engine = path.join(dir, "tofu");
    await writeFile(
      engine,
      `#!/bin/sh\nprintf '%s %s\\n' "$TF_HTTP_USERNAME" "$TF_HTTP_PASSWORD" >> '${seen}'\nexec '${slow}' "$@"\n`,
    );
    await chmod(engine, 0o755);
    worker = await startWorkerProcess({
      databaseUrl: scratch.url!,
      encryptionKey,
      publicUrl: web.url,
      githubHost: github.host,
      engine,
      // Unsandboxed: the engine's wrapper writes the credential down outside its workspace.
      env: { BOSUN_RUN_TIMEOUT: RUN_TIMEOUT, BOSUN_SANDBOX: "off" },
    });
    expect(
      (await deliver(web.url, "pull_request", inRepository(openedExample, repository))).status,
    ).toBe(200);
    const [username, password] = await eventually(
      async () => {
        const first = (await readFile(seen, "utf8").catch(() => "")).split("\n")[0];
        return first?.includes(" ") ? first.split(" ") : undefined;
      },
      { timeoutMs: 60_000 },
    );
    worker.kill("SIGKILL");
    expect(await worker.exited).toBeNull();

    const [component] = await web.database.db.select().from(runComponents);
    const client = stateClient(`${web.url}/state/${component!.componentId}`, {
      username: username!,
      password: password!,
    });
    // Still alive right after the kill: it is the lifetime that ends it, not the kill.
    expect((await client.get()).status).toBe(204);
    const refused = await eventually(
      async () => {
        const answer = await client.get();
        return answer.status === 403 ? answer : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(await refused.text()).toMatch(/expired/);
    const [credential] = await web.database.db
      .select()
      .from(stateCredentials)
      .where(eq(stateCredentials.id, username!));
    expect(credential?.revokedAt).toBeNull();
    expect(credential!.expiresAt.getTime() - credential!.createdAt.getTime()).toBe(10_000);
    // Nothing took the component back: the refusal is the expiry's alone.
    const [after] = await web.database.db.select().from(runComponents);
    expect(["PREPARING", "INITIALIZING", "PLANNING"]).toContain(after?.phase);
  });
});
