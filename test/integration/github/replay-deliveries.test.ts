import pino from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAppDeliveriesApi } from "../../../src/github/app-deliveries-api.js";
import { createProbot } from "../../../src/github/create-probot.js";
import { replayMissedDeliveries } from "../../../src/services/replay-deliveries.js";
import type { Database } from "../../../src/store/database.js";
import { receivedDeliveries } from "../../../src/store/received-deliveries.js";
import { webhookDeliveries } from "../../../src/store/schema/index.js";
import { testApp } from "../../helpers/app-credentials.js";
import {
  databaseKinds,
  openScratchDatabase,
  type OpenScratchDatabase,
} from "../../helpers/databases.js";
import {
  startGithubFake,
  type GithubFake,
  expectListAppHookDeliveries,
  expectRedeliverAppHookDelivery,
} from "../../helpers/github-fake/index.js";
import { TestOctokit } from "../../helpers/test-bosun.js";

const NOW = Date.now();
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();
const attempt = (id: number, guid: string, minutesAgo: number, statusCode = 0) => ({
  id,
  guid,
  delivered_at: ago(minutesAgo),
  redelivery: false,
  duration: 0.1,
  status: statusCode === 0 ? "failed to connect" : "OK",
  status_code: statusCode,
  event: "issue_comment",
  action: "created",
  installation_id: 1,
  repository_id: 1296269,
});

describe.each(databaseKinds)("replaying missed webhooks on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let database: Database;
  let github: GithubFake;

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    database = opened.database;
    // Bosun recorded this one; GitHub also lists it.
    await database.db.insert(webhookDeliveries).values({
      deliveryId: "received-1",
      event: "issue_comment",
      action: "created",
      payload: {},
      status: "processed",
    });
  });
  afterAll(async () => {
    await opened?.close();
  });
  beforeEach(async () => {
    github = await startGithubFake();
  });
  afterEach(async () => {
    await github.close();
  });

  const replay = (dryRun: boolean) =>
    replayMissedDeliveries(
      {
        github: createAppDeliveriesApi(
          createProbot(
            {
              appId: Number(testApp.appId),
              privateKey: testApp.privateKey,
              webhookSecret: testApp.webhookSecret,
              baseUrl: undefined,
            },
            pino({ level: "silent" }),
            TestOctokit,
          ),
        ),
        received: (ids) => receivedDeliveries(database.db, ids),
      },
      { since: new Date(NOW - 120 * 60_000), dryRun },
    );

  const listing = () =>
    expectListAppHookDeliveries(github, [
      [attempt(31, "missed-2", 5), attempt(30, "received-1", 10, 202), attempt(22, "missed-1", 40)],
      // missed-1 was tried twice while Bosun was down; the older attempt is not asked for again.
      [attempt(21, "missed-1", 41), attempt(9, "too-old", 600)],
    ]);

  it("redelivers, once each and oldest first, the deliveries Bosun never recorded in the window", async () => {
    listing();
    expectRedeliverAppHookDelivery(github, 22);
    expectRedeliverAppHookDelivery(github, 31);
    const result = await replay(false);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout).trim().split("\n")).toEqual([
      expect.stringMatching(
        /^redelivered missed-1 issue_comment\.created \(.*GitHub saw no answer\)$/,
      ),
      expect.stringMatching(/^redelivered missed-2 issue_comment\.created/),
      expect.stringMatching(/^3 deliveries since .*: 1 received, 2 missed, 2 redelivered$/),
    ]);
    // Every declared request was made, and no other: the page past the window was never read.
    github.verify();
  });

  it("--dry-run lists what it would redeliver and asks GitHub for nothing", async () => {
    listing();
    const result = await replay(true);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toContain("would redeliver missed-1");
    expect(String(result.stdout)).toContain("2 missed, 0 redelivered");
    github.verify();
  });

  it("says which redelivery GitHub refused, and exits 1", async () => {
    listing();
    expectRedeliverAppHookDelivery(github, 22, 422);
    expectRedeliverAppHookDelivery(github, 31);
    const result = await replay(false);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/could not redeliver missed-1 .*Validation Failed/);
    expect(String(result.stdout)).toContain("1 redelivered");
    github.verify();
  });
});
