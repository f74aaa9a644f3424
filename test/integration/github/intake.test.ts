import http from "node:http";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installations, repositories, webhookDeliveries } from "../../../src/store/schema/index.js";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import { startGithubFake, type GithubFake } from "../../helpers/github-fake/index.js";
import { example } from "../../helpers/webhook-examples.js";
import { startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

describe.each(databaseKinds)("webhook intake on %s", (kind) => {
  let bosun: TestBosun;
  let github: GithubFake;

  beforeAll(async () => {
    bosun = await startTestBosun(kind);
  });
  afterAll(async () => {
    await bosun?.close();
  });
  // Intake calls GitHub for none of these deliveries: any request fails the test.
  beforeEach(async () => {
    github = await startGithubFake();
  });
  afterEach(async () => {
    await github.close();
    github.verify();
  });

  const deliveryRow = async (deliveryId: string) =>
    (
      await bosun.database.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.deliveryId, deliveryId))
    )[0];

  const jobsFor = async (deliveryId: string) => {
    const rows = await bosun.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pgboss.job where data->>'deliveryId' = ${deliveryId}`,
    );
    const list = Array.isArray(rows) ? rows : (rows as unknown as { rows: { n: number }[] }).rows;
    return Number(list[0]?.n);
  };

  it("answers health and readiness", async () => {
    expect((await fetch(`${bosun.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${bosun.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ready",
      sandbox: { mode: "auto", engines: "bubblewrap" },
    });
  });

  it("records, queues and processes a signed delivery, without calling GitHub", async () => {
    const payload = example("installation", (p) => p.action === "created");
    const { status, deliveryId } = await deliver(bosun.url, "installation", payload);
    expect(status).toBe(200);
    expect(await jobsFor(deliveryId)).toBe(1);
    const processed = await eventually(async () => {
      const row = await deliveryRow(deliveryId);
      return row?.status === "processed" ? row : undefined;
    });
    expect(processed.event).toBe("installation");
    const installationId = (payload.installation as { id: number }).id;
    const [installation] = await bosun.database.db
      .select()
      .from(installations)
      .where(eq(installations.id, installationId));
    expect(installation?.accountLogin).toBe(
      (payload.installation as unknown as { account: { login: string } }).account.login,
    );
    const repos = await bosun.database.db
      .select()
      .from(repositories)
      .where(eq(repositories.installationId, installationId));
    expect(repos.map((repo) => repo.fullName).sort()).toEqual(
      (payload.repositories as { full_name: string }[]).map((repo) => repo.full_name).sort(),
    );
  });

  it("acknowledges a redelivered id and does nothing more", async () => {
    const payload = example("installation_repositories", (p) => p.action === "added");
    const first = await deliver(bosun.url, "installation_repositories", payload);
    const again = await deliver(bosun.url, "installation_repositories", payload, {
      deliveryId: first.deliveryId,
    });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await jobsFor(first.deliveryId)).toBe(1);
  });

  it("refuses a bad signature with 400 and stores nothing", async () => {
    const payload = example("pull_request", (p) => p.action === "opened" && !!p.installation);
    const { status, deliveryId } = await deliver(bosun.url, "pull_request", payload, {
      signature: `sha256=${"0".repeat(64)}`,
    });
    expect(status).toBe(400);
    expect(await deliveryRow(deliveryId)).toBeUndefined();
    expect(await jobsFor(deliveryId)).toBe(0);
  });

  it("refuses malformed JSON with 400", async () => {
    const response = await fetch(`${bosun.url}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": "malformed-1",
        "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
      },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    expect(await deliveryRow("malformed-1")).toBeUndefined();
  });

  it("refuses a signed payload that lacks the installation, naming the field", async () => {
    const payload = example("push");
    delete payload.installation;
    const { status, body, deliveryId } = await deliver(bosun.url, "push", payload);
    expect(status).toBe(400);
    expect(body).toContain("installation");
    expect(body).toContain(deliveryId);
    expect(await deliveryRow(deliveryId)).toBeUndefined();
  });

  it("acknowledges events Bosun does not use without storing them", async () => {
    const { status, deliveryId } = await deliver(
      bosun.url,
      "star",
      example("star", () => true),
    );
    expect(status).toBe(200);
    expect(await deliveryRow(deliveryId)).toBeUndefined();
  });

  it("refuses a body over GitHub's 25 MB limit before reading it", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${bosun.url}/api/github/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": 26 * 1024 * 1024 },
      });
      request.on("response", (response) => resolve(response.statusCode ?? 0));
      request.on("error", reject);
      request.write("x".repeat(1024));
    });
    expect(status).toBe(413);
    expect((await fetch(`${bosun.url}/healthz`)).status).toBe(200);
  });
});
