import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load-config.js";
import { openDatabase } from "../../../src/store/database.js";
import { createNotificationRepository } from "../../../src/store/notification-repository.js";
import { bosunArguments } from "../../helpers/bosun-cli.js";
import { scratchDatabase, type ScratchDatabase } from "../../helpers/databases.js";
import { seedRepository } from "../../helpers/seed.js";

/** `bosun notifications …` as an operator runs it: a process of its own on the database. */
describe("the bosun notifications command", () => {
  let scratch: ScratchDatabase;
  let cli: (args: string[], input?: string) => SpawnSyncReturns<string>;

  beforeAll(async () => {
    scratch = await scratchDatabase("pglite", { migrated: true });
    const env = { PATH: process.env.PATH ?? "", ...scratch.env };
    cli = (args, input) =>
      spawnSync(process.execPath, bosunArguments(args), {
        env,
        encoding: "utf8",
        ...(input === undefined ? {} : { input }),
      });
    const database = await openDatabase({ kind: "pglite", dataDir: `${scratch.dataDir}/pgdata` });
    await seedRepository(database.db);
    await database.close();
  });
  afterAll(() => scratch?.drop());

  it("sets a webhook's secret from stdin, sealed, and refuses what is not a Standard Webhooks secret", async () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    const set = cli(
      ["notifications", "secret", "set", "acme/infra", "AUDIT_SECRET"],
      `${secret}\n`,
    );
    expect(set.stderr).toBe("");
    expect(set.stdout).toBe("notification secret AUDIT_SECRET set for acme/infra\n");
    expect(set.status).toBe(0);

    const weak = cli(["notifications", "secret", "set", "acme/infra", "AUDIT_SECRET"], "hunter2");
    expect(weak.status).toBe(1);
    expect(weak.stderr).toMatch(
      /^bosun: the value read from stdin must be a Standard Webhooks secret/,
    );
    const unknown = cli(["notifications", "secret", "set", "acme/nope", "AUDIT_SECRET"], secret);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("repository acme/nope is not known to Bosun");

    // Read back through the store, the way a delivery signs with it.
    const database = await openDatabase({ kind: "pglite", dataDir: `${scratch.dataDir}/pgdata` });
    try {
      // The key the command used: the development key it made in BOSUN_DATA_DIR.
      const { encryptionKey } = await loadConfig({ PATH: process.env.PATH ?? "", ...scratch.env });
      const store = createNotificationRepository(database.db, encryptionKey);
      expect(await store.webhookSecret(1296269, "AUDIT_SECRET")).toBe(secret);
    } finally {
      await database.close();
    }
  });

  it("lists deliveries (none yet) and says why a delivery cannot be sent again", () => {
    const listed = cli(["notifications", "deliveries", "--failed"]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toBe("");
    const missing = cli(["notifications", "redeliver", "00000000-0000-4000-8000-000000000000"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe("bosun: no delivery 00000000-0000-4000-8000-000000000000\n");
    const bad = cli(["notifications", "redeliver", "42"]);
    expect(bad.stderr).toBe("bosun: 42 is not a delivery id\n");
  });
});
