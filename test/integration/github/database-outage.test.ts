import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, POSTGRES_ADMIN_URL } from "../../helpers/databases.js";
import { deliver } from "../../helpers/deliver.js";
import { example } from "../../helpers/webhook-examples.js";
import { startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

// Only a database server can go away under a running process; PGlite lives inside it.
describe.runIf(databaseKinds.includes("postgres"))("PostgreSQL going down after start", () => {
  let bosun: TestBosun;
  beforeAll(async () => {
    bosun = await startTestBosun("postgres", { env: { BOSUN_WORKERS: "0" } });
  });
  afterAll(async () => {
    await bosun.stop().catch(() => undefined);
    await bosun.scratch.drop();
  });

  it("fails readiness and answers webhooks with 503 so GitHub redelivers", async () => {
    const name = new URL(bosun.scratch.url ?? "").pathname.slice(1);
    const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
    // Refuse new connections and cut the live ones: the server is, for Bosun, down.
    await admin.unsafe(`alter database ${name} with allow_connections false`);
    await admin.unsafe(
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}'`,
    );
    try {
      const ready = await fetch(`${bosun.url}/readyz`);
      expect(ready.status).toBe(503);
      const payload = example("pull_request", (p) => p.action === "opened" && !!p.installation);
      const { status, body } = await deliver(bosun.url, "pull_request", payload);
      expect(status).toBe(503);
      expect(body).toContain("could not be stored");
      expect((await fetch(`${bosun.url}/healthz`)).status).toBe(200);
    } finally {
      await admin.unsafe(`alter database ${name} with allow_connections true`);
      await admin.end();
    }
  });
});
