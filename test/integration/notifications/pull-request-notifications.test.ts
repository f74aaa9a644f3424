import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redeliverCommand } from "../../../src/services/notifications-command.js";
import { createNotificationRepository } from "../../../src/store/notification-repository.js";
import {
  installations,
  notificationAttempts,
  notificationDeliveries,
  repositories,
} from "../../../src/store/schema/index.js";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import { startGithubFake, type GithubFake } from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import {
  startSlackStandIn,
  startWebhookReceiver,
  type ReceivedRequest,
  type WebhookReceiver,
} from "../../helpers/notification-receivers.js";
import {
  commentOnPullRequest,
  inRepository,
  networkOnlyYml,
  openedExample,
  stagePullRequest,
} from "../../helpers/pull-request-scenario.js";
import { settled, startFlowBosun, type TestBosun } from "../../helpers/test-bosun.js";

const secret = () => `whsec_${randomBytes(32).toString("base64")}`;
const SERVER_SECRET = secret();
const AUDIT_SECRET = secret();
const SLACK_TOKEN = "xoxb-test-token-123";

const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(
  JSON.parse(
    readFileSync(new URL("../../../schema/notification.schema.json", import.meta.url), "utf8"),
  ) as object,
);

const RUN_CYCLE = [
  "run.created",
  "run.planned",
  "run.unconfirmed",
  "run.confirmed",
  "run.applying",
  "run.finished",
];

const typeOf = (request: ReceivedRequest) => (JSON.parse(request.body) as { type: string }).type;

/**
 * Every event of the cycle, each after all those before it. At least once: a request the receiver
 * answered after Bosun's timeout (on a loaded machine) is sent again under its webhook-id, right
 * after its first sending and before any later event.
 */
function expectInOrder(received: readonly ReceivedRequest[]): void {
  const types = received.map(typeOf);
  const firsts = received.filter(
    (request, index) =>
      received.findIndex(
        (other) => other.headers["webhook-id"] === request.headers["webhook-id"],
      ) === index,
  );
  expect(firsts.map(typeOf)).toEqual(RUN_CYCLE);
  const positions = types.map((type) => RUN_CYCLE.indexOf(type));
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
}

describe.each(databaseKinds)("notifications of a pull request's runs on %s", (kind) => {
  let bosun: TestBosun;
  let github: GithubFake;
  let receiver: WebhookReceiver;
  let slack: Awaited<ReturnType<typeof startSlackStandIn>>;
  const repository = { id: 880_001, fullName: `Codertocat/notified-${kind}` };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    slack = await startSlackStandIn();
    bosun = await startFlowBosun(kind, {
      env: {
        BOSUN_NOTIFY_URL: `${receiver.url}/server`,
        BOSUN_NOTIFY_SECRET: SERVER_SECRET,
        // The receivers listen on 127.0.0.1; the refusal of private addresses has its own test.
        BOSUN_NOTIFY_ALLOW_PRIVATE: "true",
        BOSUN_NOTIFY_TIMEOUT: "3s",
        BOSUN_NOTIFY_RETRY_BASE: "1s",
        SLACK_BOT_TOKEN: SLACK_TOKEN,
        SLACK_API_URL: slack.apiUrl,
      },
    });
  });
  afterAll(async () => {
    await bosun?.close();
    await receiver?.close();
    await slack?.close();
  });

  it("tells every target of every event in order, signed, retried, and never a pull request's own target", async () => {
    github = await startGithubFake();
    const repo = github.repository(repository.fullName);
    const target = (name: string, extra = "") =>
      `  - name: ${name}\n    webhook: { url: "${receiver.url}/${name}", secret: AUDIT_SECRET }\n${extra}`;
    const trackedYml = `${networkOnlyYml}notifications:
${target("audit")}${target("ordered")}${target("flaky", "    events: [run.created]\n")}${target("hang", "    events: [run.created]\n")}  - name: ops
    slack: { channel: "#infra" }
    environments: [dev]
`;
    // The pull request adds a receiver of its own: it must hear nothing (docs/design.md "Trust").
    const headYml = `${trackedYml}${target("sneaky")}`;
    await stagePullRequest(repo, {
      headFiles: { ...networkStackFiles, "bosun.yml": headYml },
    });
    repo.files.set("master", { "bosun.yml": trackedYml });
    receiver.on("/flaky", (nth) => (nth < 2 ? 500 : 200));
    // Fails its first two requests: the events after run.created wait for it.
    receiver.on("/ordered", (nth) => (nth < 2 ? 500 : 200));
    receiver.on("/hang", () => "hang");

    // The operator sets the signing secret the tracked bosun.yml names.
    const db = bosun.database.db;
    await db
      .insert(installations)
      .values({ id: 1, accountLogin: "Codertocat" })
      .onConflictDoNothing();
    await db
      .insert(repositories)
      .values({ id: repository.id, installationId: 1, fullName: repository.fullName })
      .onConflictDoNothing();
    await createNotificationRepository(db, bosun.config.encryptionKey).setWebhookSecret(
      repository.id,
      "AUDIT_SECRET",
      AUDIT_SECRET,
    );

    expect(
      (await deliver(bosun.url, "pull_request", inRepository(openedExample, repository))).status,
    ).toBe(200);
    await eventually(
      async () =>
        receiver.received("/server").some((r) => typeOf(r) === "run.unconfirmed") || undefined,
      {
        timeoutMs: 120_000,
      },
    );
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply"));
    await eventually(
      async () =>
        (["/server", "/audit"].every((path) =>
          receiver.received(path).some((r) => typeOf(r) === "run.finished"),
        ) &&
          slack.calls.some(
            (call) => call.method === "chat.update" && call.params.text?.includes("SUCCEEDED"),
          )) ||
        undefined,
      { timeoutMs: 120_000 },
    );
    await eventually(async () => receiver.received("/flaky").length >= 3 || undefined, {
      timeoutMs: 30_000,
    });
    await eventually(
      async () =>
        receiver.received("/ordered").some((r) => typeOf(r) === "run.finished") || undefined,
      { timeoutMs: 120_000 },
    );

    // Every event, in order, to the server's target and the tracked branch's.
    for (const [path, key] of [
      ["/server", SERVER_SECRET],
      ["/audit", AUDIT_SECRET],
    ] as const) {
      const received = receiver.received(path);
      expectInOrder(received);
      const sequences = received.map(
        (r) =>
          (JSON.parse(r.body) as { data: { event: { sequence: number } } }).data.event.sequence,
      );
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      for (const request of received) {
        // Verified with the Standard Webhooks library and the target's secret.
        const verified = new Webhook(key).verify(
          request.body,
          request.headers as Record<string, string>,
        );
        expect(validate(verified), JSON.stringify(validate.errors)).toBe(true);
        expect(verified).toMatchObject({
          data: {
            run: { kind: "proposed", url: expect.stringMatching(/\/runs\/[0-9a-f-]{36}\?token=/) },
            repository: { full_name: repository.fullName },
            environment: "dev",
          },
        });
        // No secret in any payload.
        for (const value of [
          SERVER_SECRET,
          AUDIT_SECRET,
          SLACK_TOKEN,
          SERVER_SECRET.slice(6),
          AUDIT_SECRET.slice(6),
        ]) {
          expect(request.body).not.toContain(value);
        }
      }
    }
    // A retried event holds the later ones back: the target hears them in order all the same.
    const ordered = receiver.received("/ordered");
    expect(ordered.slice(0, 3).map(typeOf)).toEqual(["run.created", "run.created", "run.created"]);
    expectInOrder(ordered);

    const finished = JSON.parse(receiver.received("/server").at(-1)!.body) as {
      data: {
        run: { status: string; url: string };
        components: { stack: string; delta: { add: number } }[];
      };
    };
    expect(finished.data.run.status).toBe("SUCCEEDED");
    expect(finished.data.components).toEqual([
      expect.objectContaining({ stack: "network", delta: expect.objectContaining({ add: 1 }) }),
    ]);

    // 500 twice, then 200: retried, delivered once, under one webhook-id.
    const flaky = receiver.received("/flaky");
    expect(flaky).toHaveLength(3);
    expect(new Set(flaky.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const [flakyDelivery] = await db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.targetName, "flaky"));
    expect(flakyDelivery).toMatchObject({ status: "delivered", attempts: 3 });
    const flakyAttempts = await db
      .select()
      .from(notificationAttempts)
      .where(eq(notificationAttempts.deliveryId, flakyDelivery!.id));
    expect(flakyAttempts.map((a) => [a.outcome, a.responseStatus])).toEqual(
      expect.arrayContaining([
        ["failed", 500],
        ["failed", 500],
        ["delivered", 200],
      ]),
    );

    // The hanging receiver: timed out and retried under one webhook-id, while the others were
    // told of the same event at once.
    await eventually(async () => receiver.received("/hang").length >= 2 || undefined, {
      timeoutMs: 30_000,
    });
    const hang = receiver.received("/hang");
    expect(new Set(hang.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const [hangDelivery] = await db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.targetName, "hang"));
    const hangAttempts = await db
      .select()
      .from(notificationAttempts)
      .where(eq(notificationAttempts.deliveryId, hangDelivery!.id));
    expect(hangAttempts[0]).toMatchObject({ outcome: "timeout" });
    expect(hangAttempts[0]!.durationMs).toBeGreaterThanOrEqual(2900);
    const createdAt = (path: string) =>
      receiver.received(path).find((r) => typeOf(r) === "run.created")!.at;
    expect(Math.abs(createdAt("/audit") - createdAt("/server"))).toBeLessThan(3000);

    // A target only the pull request's bosun.yml names hears nothing.
    expect(receiver.received("/sneaky")).toEqual([]);

    // Slack: one message for the run, posted once and then updated in place; the wait for
    // approval also said in its thread.
    const posts = slack.calls.filter((call) => call.method === "chat.postMessage");
    const [first] = posts.filter((call) => call.params.thread_ts === undefined);
    expect(posts.filter((call) => call.params.thread_ts === undefined)).toHaveLength(1);
    expect(slack.calls[0]?.method).toBe("chat.postMessage");
    expect(first?.params.channel).toBe("#infra");
    const updates = slack.calls.filter((call) => call.method === "chat.update");
    expect(updates.length).toBeGreaterThanOrEqual(4);
    expect(new Set(updates.map((call) => call.params.ts))).toEqual(new Set(["1700000000.000001"]));
    expect(posts.some((call) => call.params.thread_ts === "1700000000.000001")).toBe(true);
    for (const call of slack.calls) expect(JSON.stringify(call.params)).not.toContain(AUDIT_SECRET);

    // The run page says which target was told what, showing a webhook's host, never its URL.
    const opened = await fetch(finished.data.run.url, { redirect: "manual" });
    const cookie = opened.headers
      .getSetCookie()
      .map((line) => line.split(";")[0])
      .join("; ");
    const runUrl = new URL(finished.data.run.url);
    const page = await (
      await fetch(`${runUrl.origin}${runUrl.pathname}`, { headers: { cookie } })
    ).text();
    expect(page).toContain("<h2>Notifications</h2>");
    expect(page).toMatch(/run\.finished<\/code>\s*<\/td>\s*<td>\s*audit/);
    expect(page).not.toContain(`${receiver.url}/audit`);

    // A redelivery is queued at once, under its webhook-id, not at the next sweep.
    const auditCreated = receiver.received("/audit")[0]!;
    const webhookId = auditCreated.headers["webhook-id"];
    const sentBefore = receiver
      .received("/audit")
      .filter((request) => request.headers["webhook-id"] === webhookId).length;
    const store = createNotificationRepository(db, bosun.config.encryptionKey);
    const [auditDelivery] = (
      await store.deliveriesOfRun(
        (JSON.parse(auditCreated.body) as { data: { run: { id: string } } }).data.run.id,
      )
    ).filter((delivery) => delivery.targetName === "audit" && delivery.type === "run.created");
    const redelivered = await redeliverCommand(
      { store, queue: bosun.queue },
      { id: auditDelivery!.id },
    );
    expect(redelivered.stdout).toBe(`delivery ${auditDelivery!.id} queued to be sent again\n`);
    const [queuedAgain] = await db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.id, auditDelivery!.id));
    expect(queuedAgain?.queuedAt).not.toBeNull();
    await eventually(
      async () =>
        receiver.received("/audit").filter((request) => request.headers["webhook-id"] === webhookId)
          .length > sentBefore || undefined,
      { timeoutMs: 15_000 },
    );

    // The hanging receiver recovers; then nothing is left in the queue.
    receiver.on("/hang", () => 200);
    await eventually(
      async () => {
        const [row] = await db
          .select()
          .from(notificationDeliveries)
          .where(eq(notificationDeliveries.id, hangDelivery!.id));
        return row?.status === "delivered" || undefined;
      },
      { timeoutMs: 30_000 },
    );
    await settled(bosun);
    await github.close();
    github.verify();
  }, 300_000);
});
