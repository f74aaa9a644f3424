import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotificationRepository } from "../../../src/store/notification-repository.js";
import {
  installations,
  notificationDeliveries,
  repositories,
} from "../../../src/store/schema/index.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import { startGithubFake } from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../helpers/notification-receivers.js";
import {
  inRepository,
  networkOnlyYml,
  openedExample,
  stagePullRequest,
} from "../../helpers/pull-request-scenario.js";
import { settled, startFlowBosun, type TestBosun } from "../../helpers/test-bosun.js";

const secret = () => `whsec_${randomBytes(32).toString("base64")}`;

/**
 * SSRF through a real pull request cycle: a repository's bosun.yml names a webhook on a loopback
 * address, and Bosun, not told to allow private addresses, refuses to send there; the operator's
 * own BOSUN_NOTIFY_URL on the same address is trusted as given and hears every event.
 */
describe("a repository's webhook target on a private address", () => {
  let bosun: TestBosun;
  let receiver: WebhookReceiver;
  const repository = { id: 880_101, fullName: "Codertocat/private-target" };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    bosun = await startFlowBosun("pglite", {
      env: { BOSUN_NOTIFY_URL: `${receiver.url}/server`, BOSUN_NOTIFY_SECRET: secret() },
    });
  });
  afterAll(async () => {
    await bosun?.close();
    await receiver?.close();
  });

  it("is refused, saying why, while the operator's target on the same host is told", async () => {
    const github = await startGithubFake();
    const repo = github.repository(repository.fullName);
    const trackedYml = `${networkOnlyYml}notifications:
  - name: internal
    webhook: { url: "${receiver.url}/internal", secret: INTERNAL_SECRET }
`;
    await stagePullRequest(repo, { headFiles: { ...networkStackFiles, "bosun.yml": trackedYml } });
    repo.files.set("master", { "bosun.yml": trackedYml });
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
      "INTERNAL_SECRET",
      secret(),
    );

    await deliver(bosun.url, "pull_request", inRepository(openedExample, repository));
    const refused = await eventually(
      async () => {
        const rows = await db
          .select({
            status: notificationDeliveries.status,
            error: notificationDeliveries.lastError,
          })
          .from(notificationDeliveries)
          .where(eq(notificationDeliveries.targetName, "internal"));
        return rows.length > 0 && rows.every((row) => row.status === "refused") ? rows : undefined;
      },
      { timeoutMs: 60_000 },
    );
    await eventually(
      async () =>
        receiver
          .received("/server")
          .some(
            (request) => (JSON.parse(request.body) as { type: string }).type === "run.unconfirmed",
          ) || undefined,
      { timeoutMs: 60_000 },
    );
    await settled(bosun);
    await github.close();

    expect(refused[0]!.error).toMatch(/127\.0\.0\.1 is a non-public address/);
    expect(receiver.received("/internal")).toEqual([]);
  });
});
