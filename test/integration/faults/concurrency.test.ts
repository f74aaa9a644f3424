import { randomUUID } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  revisions,
  runComponents,
  runEvents,
  runs,
  webhookDeliveries,
} from "../../../src/store/schema/index.js";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  startGithubFake,
  type GithubFake,
  type FakeRepository,
} from "../../helpers/github-fake/index.js";
import {
  commentOnPullRequest,
  inRepository,
  openedExample,
  PULL_NUMBER,
  stagePullRequest,
  type ScenarioRepository,
} from "../../helpers/pull-request-scenario.js";
import { engineInvocations, standInWith } from "../../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

// The production shape: several workers against one PostgreSQL server.
describe.each(databaseKinds.filter((kind) => kind === "postgres"))(
  "duplicates, stampedes and a failing GitHub on %s",
  (kind) => {
    let bosun: TestBosun;
    /** The same, with GitHub's real client: retries on 5xx, waits out secondary rate limits. */
    let politeBosun: TestBosun;
    let github: GithubFake;
    let repo: FakeRepository;
    let repository: ScenarioRepository;
    let engineLog: string;
    let testNumber = 0;

    beforeAll(async () => {
      engineLog = path.join(await mkdtemp(path.join(os.tmpdir(), "bosun-stampede-")), "engine.log");
      const engine = await standInWith({ STANDIN_LOG: engineLog });
      const start = async (octokit?: typeof ProbotOctokit) => {
        const port = await freePort();
        return startTestBosun(kind, {
          port,
          ...(octokit ? { octokit } : {}),
          env: {
            BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
            BOSUN_TOFU_BIN: engine,
            BOSUN_WORKERS: "4",
            // The stand-in's invocation log is outside the workspace: a sandboxed engine cannot write it.
            BOSUN_SANDBOX: "off",
          },
        });
      };
      bosun = await start();
      politeBosun = await start(ProbotOctokit);
    });
    afterAll(async () => {
      await bosun?.close();
      await politeBosun?.close();
    });
    beforeEach(async () => {
      testNumber += 1;
      repository = {
        id: 880_000 + testNumber,
        fullName: `Codertocat/stampede-${kind}-${testNumber}`,
      };
      github = await startGithubFake();
      repo = github.repository(repository.fullName);
      await stagePullRequest(repo);
    });
    afterEach(async () => {
      await settled(bosun);
      await settled(politeBosun);
      await github.close();
      github.verify();
    });

    const waitForCheck = (conclusion: string) =>
      eventually(
        async () =>
          repo.checkRun("bosun/dev")?.conclusion === conclusion
            ? repo.checkRun("bosun/dev")
            : undefined,
        { timeoutMs: 60_000 },
      );
    const runsOfRepository = () =>
      bosun.database.db.select().from(runs).where(eq(runs.repositoryId, repository.id));

    it("the same delivery 20 times at once: acknowledged each time, recorded and handled once", async () => {
      const deliveryId = randomUUID();
      const payload = inRepository(openedExample, repository);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          deliver(bosun.url, "pull_request", payload, { deliveryId }),
        ),
      );
      expect(answers.map((answer) => answer.status).every((status) => status < 300)).toBe(true);
      await waitForCheck("action_required");
      await settled(bosun);
      const recorded = await bosun.database.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.deliveryId, deliveryId));
      expect(recorded).toHaveLength(1);
      expect(recorded[0]?.status).toBe("processed");
      expect(await runsOfRepository()).toHaveLength(1);
      expect(repo.count("POST", /\/check-runs$/)).toBe(1);
    });

    it("50 concurrent /apply for one run: confirmed once, applied once", async () => {
      await deliver(bosun.url, "pull_request", inRepository(openedExample, repository));
      await waitForCheck("action_required");
      const appliesBefore = await engineCalls("apply");
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply")),
        ),
      );
      expect(answers.every((answer) => answer.status < 300)).toBe(true);
      await waitForCheck("success");
      await settled(bosun);

      const [run] = await runsOfRepository();
      const [component] = await bosun.database.db
        .select()
        .from(runComponents)
        .where(eq(runComponents.runId, run!.id));
      expect(component?.phase).toBe("FINISHED");
      const confirmations = (
        await bosun.database.db.select().from(runEvents).where(eq(runEvents.runId, run!.id))
      ).filter((event) => event.toState === "CONFIRMED");
      expect(confirmations).toHaveLength(1);
      expect(
        await bosun.database.db.select().from(revisions).where(eq(revisions.runId, run!.id)),
      ).toHaveLength(1);
      expect((await engineCalls("apply")) - appliesBefore).toBe(1);
      expect(repo.count("POST", /\/deployments$/)).toBe(1);
      expect(repo.deployments[0]?.statuses.at(-1)?.state).toBe("success");
      // Every /apply was answered; none of them started a second apply.
      expect(
        repo.count("POST", /\/reactions$/) + repo.commentsOn(PULL_NUMBER).length,
      ).toBeGreaterThan(1);
    });

    it("GitHub answering 502, then 200, and a secondary rate limit: reports are delayed, none lost or doubled", async () => {
      repo.failNext("POST", /\/check-runs$/, 1, 502);
      // Longer than the client's own retries: the report job itself is retried.
      repo.failNext("PATCH", /\/check-runs\/\d+$/, 4, 502);
      repo.failNext(
        "POST",
        /\/issues\/\d+\/comments$/,
        1,
        403,
        { "retry-after": "1" },
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      );
      await deliver(politeBosun.url, "pull_request", inRepository(openedExample, repository));
      const check = await waitForCheck("action_required");
      expect(check.output?.title).toMatch(/1 to add/);
      const comments = await eventually(async () => {
        const bodies = repo.commentsOn(PULL_NUMBER);
        return bodies[0]?.includes("null_resource.vpc") ? bodies : undefined;
      });
      expect(comments).toHaveLength(1);
      expect(repo.failed.map((failure) => failure.status).sort()).toEqual([
        403, 502, 502, 502, 502, 502,
      ]);
      expect(repo.checkRuns.filter((checkRun) => checkRun.name === "bosun/dev")).toHaveLength(1);
    });

    const engineCalls = async (command: string) =>
      (await engineInvocations(engineLog)).filter((call) => call.argv.includes(command)).length;
  },
);
