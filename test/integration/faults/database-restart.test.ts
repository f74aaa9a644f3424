import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runComponents, webhookDeliveries } from "../../../src/store/schema/index.js";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  startGithubFake,
  type GithubFake,
  type FakeRepository,
} from "../../helpers/github-fake/index.js";
import { startPostgresCluster, type PostgresCluster } from "../../helpers/postgres-cluster.js";
import {
  commentOnPullRequest,
  inRepository,
  openedExample,
  stagePullRequest,
} from "../../helpers/pull-request-scenario.js";
import { standInWith } from "../../helpers/stand-in.js";
import { freePort, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

const repository = { id: 770_001, fullName: "Codertocat/database-restart" };

// A server of the test's own is restarted; the shared one stays untouched.
describe.runIf(databaseKinds.includes("postgres"))("PostgreSQL restarted mid-run", () => {
  let cluster: PostgresCluster;
  let dataDir: string;
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    dataDir = await mkdtemp(path.join(os.tmpdir(), "bosun-restart-"));
    const port = await freePort();
    bosun = await startTestBosun("postgres", {
      port,
      scratch: {
        env: { BOSUN_DATA_DIR: dataDir, DATABASE_URL: cluster.url },
        dataDir,
        url: cluster.url,
        drop: () => rm(dataDir, { recursive: true, force: true }),
      },
      env: {
        BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
        BOSUN_TOFU_BIN: await standInWith({ STANDIN_DELAY_MS: "4000" }),
        BOSUN_WORKERS: "2",
        BOSUN_WORKER_LEASE: "2s",
      },
    });
    github = await startGithubFake();
    repo = github.repository(repository.fullName);
    await stagePullRequest(repo);
  });
  afterAll(async () => {
    await github?.close();
    await bosun?.close();
    await rm(dataDir, { recursive: true, force: true });
    await cluster?.stop();
    github?.verify();
  });

  it("a plan under way when the database restarts ends planned, and GitHub shows it", async () => {
    const opened = await deliver(
      bosun.url,
      "pull_request",
      inRepository(openedExample, repository),
    );
    expect(opened.status).toBe(200);
    await eventually(
      async () => {
        const [row] = await bosun.database.db
          .select()
          .from(runComponents)
          .where(eq(runComponents.phase, "PLANNING"));
        return row;
      },
      { timeoutMs: 30_000 },
    );
    await cluster.restart();

    const check = await eventually(
      async () =>
        repo.checkRun("bosun/dev")?.conclusion === "action_required"
          ? repo.checkRun("bosun/dev")
          : undefined,
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    expect(check.output?.title).toMatch(/1 to add/);
    const rows = await bosun.database.db.select().from(runComponents);
    expect(rows.map((row) => row.phase)).toEqual(["UNCONFIRMED"]);
    expect(
      await bosun.database.db
        .select()
        .from(runComponents)
        .where(inArray(runComponents.phase, ["PREPARING", "INITIALIZING", "PLANNING", "APPLYING"])),
    ).toEqual([]);

    // The app took up its work again: ready, and a new delivery is accepted and handled.
    expect((await fetch(`${bosun.url}/readyz`)).status).toBe(200);
    const comment = await deliver(
      bosun.url,
      "issue_comment",
      commentOnPullRequest(repository, "/help"),
    );
    expect(comment.status).toBe(200);
    await eventually(
      async () => {
        const [row] = await bosun.database.db
          .select()
          .from(webhookDeliveries)
          .where(eq(webhookDeliveries.deliveryId, comment.deliveryId));
        return row?.status === "processed" ? row : undefined;
      },
      { timeoutMs: 30_000 },
    );
  });
});
