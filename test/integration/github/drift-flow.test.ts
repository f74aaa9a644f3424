import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import pino from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readState } from "../../../src/state/read-state.js";
import { writeState } from "../../../src/state/write-state.js";
import { createStateRepository } from "../../../src/store/state-repository.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  startGithubFake,
  type FakeRepository,
  type GithubFake,
} from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../helpers/notification-receivers.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { settled, startFlowBosun, type TestBosun } from "../../helpers/test-bosun.js";
import { example } from "../../helpers/webhook-examples.js";

const pushExample = example("push", (p) => p.ref === "refs/heads/master" && !!p.installation);
const SHA = (digit: string) => digit.repeat(40);
const REPOSITORY_ID = 818_181;
const REPO = "Codertocat/drift";
const NOTIFY_SECRET = `whsec_${randomBytes(32).toString("base64")}`;

// Once a year: the real cron tick, which runs every minute beside the test, never finds it due.
const bosunYml = `version: 1
environments:
  dev:
    variables:
      region: eu-west-1
    drift: { schedule: "0 0 1 1 *", reconcile: true }
stacks:
  - name: network
    dir: infra/network
    environments: [dev]
    var_files: ["env/\${environment}.tfvars"]
    autodeploy: true
`;

/** Rows of a raw query, on either driver. */
async function rows<T>(bosun: TestBosun, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = await bosun.database.db.execute(query);
  return (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows) as T[];
}

/**
 * Drift detection through the real server (docs/design.md "Runs without a pull request"): a stack
 * deployed by a tracked push, its state changed behind Bosun's back, the drift check the
 * scheduler's tick starts, the issue it opens, the reconcile run that puts things back, and the
 * next check that finds nothing and closes the issue.
 */
describe("drift detection on pglite", () => {
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    bosun = await startFlowBosun("pglite", {
      env: {
        BOSUN_NOTIFY_URL: `${receiver.url}/operator`,
        BOSUN_NOTIFY_SECRET: NOTIFY_SECRET,
      },
    });
  });
  afterAll(async () => {
    await bosun?.close();
    await receiver?.close();
  });
  beforeEach(async () => {
    github = await startGithubFake();
    repo = github.repository(REPO);
    repo.permissions.set("Codertocat", "admin");
    repo.files.set("master", { "bosun.yml": bosunYml });
    repo.files.set(SHA("b"), { "bosun.yml": bosunYml });
    repo.tarballs.set(SHA("b"), await repoTarball({ "bosun.yml": bosunYml, ...networkStackFiles }));
    repo.branches.set("master", SHA("b"));
    repo.compare.files = [{ filename: "infra/network/main.tf", status: "modified" }];
  });
  afterEach(async () => {
    await settled(bosun);
    await github.close();
    github.verify();
  });

  const environment = async () =>
    (
      await rows<{
        id: string;
        drift_schedule: string | null;
        drift_reconcile: boolean;
        drift_next_at: Date | string | null;
        drifted: boolean | null;
        drift_run_id: string | null;
        drift_issue_number: number | null;
      }>(
        bosun,
        sql`select id, drift_schedule, drift_reconcile, drift_next_at, drifted, drift_run_id, drift_issue_number from environments where repository_id = ${REPOSITORY_ID} and name = 'dev'`,
      )
    )[0]!;
  const runsOfKind = (kind: string) =>
    rows<{ id: string; commit_sha: string; trigger: string; triggered_by: string }>(
      bosun,
      sql`select id, commit_sha, trigger, triggered_by from runs where repository_id = ${REPOSITORY_ID} and kind = ${kind} order by created_at, id`,
    );
  /** The tick as pg-boss's cron sends it, a job of the drift-tick queue. */
  const tick = async () => {
    await bosun.queue.send("drift-tick", {});
    await settled(bosun);
  };
  /** The environment's next check is now due (as if its time had come). */
  const makeDue = () =>
    bosun.database.db.execute(
      sql`update environments set drift_next_at = now() - interval '1 minute' where repository_id = ${REPOSITORY_ID} and name = 'dev'`,
    );

  it("registers the tick with pg-boss's cron: one schedule, every minute", async () => {
    const schedules = await rows<{ name: string; cron: string; timezone: string }>(
      bosun,
      sql`select name, cron, timezone from pgboss.schedule where name = 'drift-tick'`,
    );
    expect(schedules).toEqual([{ name: "drift-tick", cron: "* * * * *", timezone: "UTC" }]);
  });

  it("finds drift made behind Bosun's back, opens an issue, reconciles, and closes the issue once it is gone", async () => {
    // Deployed by a tracked push; the push records the environment's drift settings.
    const payload = structuredClone(pushExample);
    Object.assign(payload, { before: SHA("a"), after: SHA("b"), forced: false, created: false });
    Object.assign(payload.repository as object, {
      id: REPOSITORY_ID,
      full_name: REPO,
      name: REPO.split("/")[1],
    });
    expect((await deliver(bosun.url, "push", payload)).status).toBe(200);
    await eventually(
      async () => repo.deployments.at(-1)?.statuses.find((s) => s.state === "success"),
      { timeoutMs: 60_000 },
    );
    await settled(bosun);
    expect(await environment()).toMatchObject({
      drift_schedule: "0 0 1 1 *",
      drift_reconcile: true,
      drift_next_at: null,
      drifted: null,
    });

    // The first tick that sees the schedule sets its next time, and checks nothing yet.
    await tick();
    const scheduled = new Date((await environment()).drift_next_at!);
    expect(scheduled.toISOString()).toMatch(/^\d{4}-01-01T00:00:00\.000Z$/);
    expect(scheduled.getTime()).toBeGreaterThan(Date.now());
    expect(await runsOfKind("drift")).toEqual([]);

    // Someone changes the resource outside Bosun: its stored state no longer says what was applied.
    const [component] = await rows<{ id: string }>(
      bosun,
      sql`select c.id from components c join stacks s on s.id = c.stack_id where s.repository_id = ${REPOSITORY_ID} and s.name = 'network'`,
    );
    const stateDeps = {
      store: createStateRepository(bosun.database.db),
      key: bosun.config.encryptionKey,
      log: pino({ level: "silent" }),
    };
    const stored = await readState(stateDeps, component!.id);
    const state = JSON.parse(stored!.body.toString("utf8")) as {
      serial: number;
      resources: {
        type: string;
        instances: { attributes: { triggers: Record<string, string> } }[];
      }[];
    };
    const vpc = state.resources.find((resource) => resource.type === "null_resource")!;
    expect(vpc.instances[0]!.attributes.triggers.name).toBe("dev-core");
    vpc.instances[0]!.attributes.triggers.name = "changed-by-hand";
    state.serial += 1;
    const written = await writeState(stateDeps, {
      componentId: component!.id,
      body: Buffer.from(JSON.stringify(state)),
      lockId: undefined,
      runId: undefined,
    });
    expect(written.kind).toBe("stored");

    const checkRunsBefore = repo.checkRuns.length;
    await makeDue();
    await tick();
    const [check] = await runsOfKind("drift");
    expect(check).toMatchObject({
      commit_sha: SHA("b"),
      trigger: "schedule",
      triggered_by: "bosun (drift)",
    });
    expect(await environment()).toMatchObject({ drifted: true, drift_run_id: check!.id });
    expect(new Date((await environment()).drift_next_at!).getTime()).toBeGreaterThan(Date.now());

    // The operator's webhook is told: drift.detected, signed, naming the check.
    const detected = await eventually(async () =>
      receiver
        .received("/operator")
        .map(
          (request) =>
            new Webhook(NOTIFY_SECRET).verify(
              request.body,
              request.headers as Record<string, string>,
            ) as { type: string; data: { run: { id: string; kind: string } } },
        )
        .find((payload) => payload.type === "drift.detected"),
    );
    expect(detected.data.run).toMatchObject({ id: check!.id, kind: "drift" });

    // One issue, with what drifted and a signed link to the check's page.
    expect([...repo.issues.values()]).toEqual([
      expect.objectContaining({ title: "Drift detected in dev", state: "open" }),
    ]);
    const issue = [...repo.issues.values()][0]!;
    expect(issue.body).toContain("| `network` | `bbbbbbb` | +0 ~1 -0 | `null_resource.vpc` |");
    expect((await environment()).drift_issue_number).toBe(issue.number);
    const link = /\((http:\/\/127\.0\.0\.1:\d+\/runs\/[^)]+)\)/.exec(issue.body)![1]!;
    // The link's token goes into a session cookie, and the page is the same address without it.
    const signedIn = await fetch(link, { redirect: "manual" });
    expect(signedIn.status).toBe(303);
    const page = await fetch(new URL(signedIn.headers.get("location")!, link), {
      headers: { cookie: signedIn.headers.get("set-cookie")!.split(";")[0]! },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Drift check");
    expect(html).toContain("bosun (drift)");

    // reconcile: true opened a tracked run of the drifted stack at the tracked branch's head,
    // which autodeploys like a push's and puts the resource back. The check itself reported
    // no check run: only the reconcile run's own shows on the head.
    const [reconcile] = await runsOfKind("tracked").then((tracked) => tracked.slice(-1));
    expect(reconcile).toMatchObject({
      commit_sha: SHA("b"),
      trigger: "drift",
      triggered_by: "bosun (drift)",
    });
    expect(repo.deployments.map((d) => d.statuses.at(-1)?.state)).toEqual(["success", "success"]);
    const since = repo.checkRuns.slice(checkRunsBefore);
    expect(since.length).toBeGreaterThan(0);
    expect(since.every((run) => run.history[0]?.external_id === reconcile!.id)).toBe(true);
    const after = JSON.parse(
      (await readState(stateDeps, component!.id))!.body.toString("utf8"),
    ) as typeof state;
    expect(
      after.resources.find((resource) => resource.type === "null_resource")!.instances[0]!
        .attributes.triggers.name,
    ).toBe("dev-core");

    // The next check finds nothing: the issue is closed, with a comment saying why.
    await makeDue();
    await tick();
    const checks = await runsOfKind("drift");
    expect(checks).toHaveLength(2);
    expect(await environment()).toMatchObject({
      drifted: false,
      drift_run_id: checks[1]!.id,
      drift_issue_number: null,
    });
    expect(repo.issues.get(issue.number)).toMatchObject({
      state: "closed",
      state_reason: "completed",
    });
    expect(repo.commentsOn(issue.number)).toEqual([
      expect.stringMatching(/found no drift in \*\*dev\*\*/),
    ]);
    expect(repo.count("POST", /\/issues$/)).toBe(1);
  });
});
