import { execFile } from "node:child_process";
import { mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import path from "node:path";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RetentionSettings } from "../../../src/domain/retention.js";
import { collectGarbage, collectGarbageCommand } from "../../../src/services/collect-garbage.js";
import type { Database } from "../../../src/store/database.js";
import { createRetentionRepository } from "../../../src/store/retention-repository.js";
import {
  phaseLogLines,
  revisions,
  runComponents,
  runPhases,
  stateVersions,
  webhookDeliveries,
} from "../../../src/store/schema/index.js";
import { retentionTargets } from "../../../src/worker/retention-targets.js";
import { bosunArguments } from "../../helpers/bosun-cli.js";
import {
  databaseKinds,
  openScratchDatabase,
  type OpenScratchDatabase,
} from "../../helpers/databases.js";
import { networkSpec, seedRun, SHA } from "../../helpers/seed.js";

const DAY = 86_400_000;
const now = new Date();
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
const log = pino({ level: "silent" });

const settings: RetentionSettings = {
  "webhook-payloads": { maxAgeMs: 30 * DAY },
  "phase-logs": { maxAgeMs: 90 * DAY },
  plans: { maxAgeMs: 14 * DAY },
  tarballs: { maxAgeMs: 7 * DAY },
  "state-versions": { maxAgeMs: 30 * DAY },
};

describe.each(databaseKinds)("retention on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let database: Database;
  let archives: string;
  /** A finished run (old), a run still planning (old), a finished run (recent). */
  let finished: { runComponentId: string; componentId: string };
  let inProgress: { runComponentId: string };
  let recent: { runComponentId: string };
  let prodComponentId: string;

  const snapshot = async () => {
    const { db } = database;
    return {
      deliveries: (await db.select().from(webhookDeliveries)).map((row) => row.deliveryId).sort(),
      lines: (await db.select().from(phaseLogLines)).map((row) => row.line).sort(),
      plans: (await db.select().from(runComponents))
        .filter((row) => row.sealedWorkspace !== null)
        .map((row) => row.id)
        .sort(),
      states: (await db.select().from(stateVersions))
        .map((row) => `${row.componentId === prodComponentId ? "prod" : "dev"}:${row.serial}`)
        .sort(),
      tarballs: (await readdir(path.join(archives, "acme__infra"))).sort(),
    };
  };

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    database = opened.database;
    const { db } = database;
    archives = path.join(opened.scratch.dataDir, "archives");

    await db.insert(webhookDeliveries).values([
      {
        deliveryId: "old-processed",
        event: "push",
        payload: { a: "x".repeat(500) },
        status: "processed",
        receivedAt: daysAgo(40),
      },
      {
        deliveryId: "old-queued",
        event: "push",
        payload: { a: 1 },
        status: "queued",
        receivedAt: daysAgo(40),
      },
      {
        deliveryId: "new-processed",
        event: "push",
        payload: { a: 1 },
        status: "processed",
        receivedAt: daysAgo(2),
      },
    ]);

    finished = await seedRun(db, networkSpec());
    inProgress = await seedRun(db, networkSpec());
    recent = await seedRun(db, networkSpec());
    const workspace = Buffer.alloc(4096, 1);
    const setComponent = (id: string, phase: "FINISHED" | "PLANNING", updatedAt: Date) =>
      db
        .update(runComponents)
        .set({ phase, updatedAt, sealedWorkspace: workspace })
        .where(eq(runComponents.id, id));
    await setComponent(finished.runComponentId, "FINISHED", daysAgo(100));
    await setComponent(inProgress.runComponentId, "PLANNING", daysAgo(100));
    await setComponent(recent.runComponentId, "FINISHED", daysAgo(1));

    for (const [component, lines] of [
      [
        finished.runComponentId,
        [
          ["finished old", 120],
          ["finished new", 5],
        ],
      ],
      [inProgress.runComponentId, [["in progress old", 120]]],
    ] as const) {
      const [phase] = await db
        .insert(runPhases)
        .values({ runComponentId: component, phase: "PLANNING" })
        .returning();
      await db
        .insert(phaseLogLines)
        .values(lines.map(([line, age]) => ({ phaseId: phase!.id, line, loggedAt: daysAgo(age) })));
    }

    // dev: five old versions, a revision pointing at serial 2; prod: one old version, its latest.
    const version = (componentId: string, serial: number) => ({
      componentId,
      serial,
      lineage: "l",
      digest: `sha256:${serial}`,
      size: 3,
      sealedBody: Buffer.alloc(1000, serial),
      createdAt: daysAgo(60),
    });
    const dev = await db
      .insert(stateVersions)
      .values([1, 2, 3, 4, 5].map((serial) => version(finished.componentId, serial)))
      .returning();
    const [run] = await db
      .select()
      .from(runComponents)
      .where(eq(runComponents.id, finished.runComponentId));
    await db.insert(revisions).values({
      componentId: finished.componentId,
      runId: run!.runId,
      commitSha: SHA,
      planDigest: "sha256:0",
      stateVersionId: dev.find((row) => row.serial === 2)!.id,
      startedAt: daysAgo(60),
    });
    const prod = await seedRun(db, networkSpec({ environment: "prod" }));
    prodComponentId = prod.componentId;
    await db.insert(stateVersions).values(version(prodComponentId, 1));

    await mkdir(path.join(archives, "acme__infra"), { recursive: true });
    for (const [name, age] of [
      [`${"a".repeat(40)}.tar.gz`, 10],
      [`${"b".repeat(40)}.tar.gz`, 1],
      [`${"c".repeat(40)}.tar.gz.1.2.partial`, 30],
    ] as const) {
      const file = path.join(archives, "acme__infra", name);
      await writeFile(file, Buffer.alloc(2048));
      await utimes(file, daysAgo(age), daysAgo(age));
    }
  });
  afterAll(async () => {
    await opened.close();
  });

  it("a dry run says what would go, and deletes nothing", async () => {
    const before = await snapshot();
    const result = await collectGarbageCommand(
      { targets: retentionTargets(database, opened.scratch.dataDir), log },
      { settings, now, dryRun: true },
    );
    expect(result.stdout).toMatch(/^webhook-payloads\s+30d\s+3 \(\d+ B\)\s+1 \(\d+ B\)\s+3 \(/m);
    expect(result.stdout).toMatch(/^phase-logs\s+90d\s+3 \(\d+ B\)\s+1 \(12 B\)/m);
    expect(result.stdout).toMatch(/^plans\s+14d\s+3 \(12288 B\)\s+1 \(4096 B\)\s+3 \(12288 B\)/m);
    expect(result.stdout).toMatch(/^tarballs\s+7d\s+3 \(6144 B\)\s+2 \(4096 B\)\s+3 \(6144 B\)/m);
    expect(result.stdout).toMatch(
      /^state-versions\s+30d\s+6 \(6000 B\)\s+3 \(3000 B\)\s+6 \(6000 B\)/m,
    );
    expect(result.stdout).toContain("dry run: would delete 8 items");
    expect(await snapshot()).toEqual(before);
  });

  it("deletes exactly what is older than each setting, and nothing it protects", async () => {
    const collected = await collectGarbage(
      { targets: retentionTargets(database, opened.scratch.dataDir), log },
      { settings, now, dryRun: false },
    );
    expect(await snapshot()).toEqual({
      deliveries: ["new-processed", "old-queued"],
      // The old line of a run still planning stays.
      lines: ["finished new", "in progress old"],
      plans: [inProgress.runComponentId, recent.runComponentId].sort(),
      // dev:2 is a revision's, dev:5 and prod:1 are their components' latest.
      states: ["dev:2", "dev:5", "prod:1"],
      tarballs: [`${"b".repeat(40)}.tar.gz`],
    });
    for (const entry of collected) {
      expect(entry.after.items).toBe(entry.before.items - entry.deleted.items);
      expect(entry.after.bytes).toBe(entry.before.bytes - entry.deleted.bytes);
    }
    expect(collected.find((entry) => entry.kind === "state-versions")?.deleted).toEqual({
      items: 3,
      bytes: 3000,
    });
    // A second collection finds nothing more.
    const again = await collectGarbage(
      { targets: retentionTargets(database, opened.scratch.dataDir), log },
      { settings, now, dryRun: false },
    );
    expect(again.every((entry) => entry.deleted.items === 0)).toBe(true);
  });

  it("keeps the N newest state versions of each component when the setting is a count", async () => {
    const store = createRetentionRepository(database)["state-versions"];
    await database.db.insert(stateVersions).values(
      [6, 7, 8].map((serial) => ({
        componentId: finished.componentId,
        serial,
        lineage: "l",
        digest: `sha256:${serial}`,
        size: 3,
        sealedBody: Buffer.alloc(10),
      })),
    );
    expect(await store.remove({ keepNewest: 2 })).toEqual({ items: 2, bytes: 1010 });
    expect((await snapshot()).states).toEqual(["dev:2", "dev:7", "dev:8", "prod:1"]);
    expect(await store.remove({ keepNewest: 1 })).toEqual({ items: 1, bytes: 10 });
    expect((await snapshot()).states).toEqual(["dev:2", "dev:8", "prod:1"]);
  });

  it("keeps everything of a kind whose setting is off", async () => {
    const before = await snapshot();
    await database.db
      .update(webhookDeliveries)
      .set({ receivedAt: daysAgo(400) })
      .where(eq(webhookDeliveries.deliveryId, "new-processed"));
    const collected = await collectGarbage(
      { targets: retentionTargets(database, opened.scratch.dataDir), log },
      { settings: { ...settings, "webhook-payloads": undefined }, now, dryRun: false },
    );
    expect(collected[0]).toMatchObject({ kind: "webhook-payloads", setting: "off" });
    expect((await snapshot()).deliveries).toEqual(before.deliveries);
  });
});

// A process of its own beside the test's connection: PostgreSQL, where both can be open at once.
describe.each(databaseKinds.filter((kind) => kind === "postgres"))("bosun gc on %s", (kind) => {
  it("prints each kind's setting and tallies, and --dry-run deletes nothing", async () => {
    const opened = await openScratchDatabase(kind);
    try {
      await opened.database.db.insert(webhookDeliveries).values({
        deliveryId: "old",
        event: "push",
        payload: {},
        status: "processed",
        receivedAt: daysAgo(10),
      });
      const gc = (args: string[]) =>
        promisify(execFile)(process.execPath, bosunArguments(["gc", ...args]), {
          env: {
            PATH: process.env.PATH ?? "",
            ...opened.scratch.env,
            BOSUN_RETENTION_WEBHOOK_PAYLOADS: "5d",
            BOSUN_RETENTION_STATE_VERSIONS: "10",
            LOG_LEVEL: "warn",
          },
        });
      const dry = await gc(["--dry-run"]);
      expect(dry.stdout).toMatch(/^webhook-payloads\s+5d\s+1 \(\d+ B\)\s+1 \(/m);
      expect(dry.stdout).toMatch(/^state-versions\s+keep 10\s+0 \(0 B\)/m);
      expect(dry.stdout).toMatch(/^phase-logs\s+90d\s/m);
      expect(await opened.database.db.select().from(webhookDeliveries)).toHaveLength(1);
      const real = await gc([]);
      expect(real.stdout).toContain("deleted 1 items");
      expect(await opened.database.db.select().from(webhookDeliveries)).toHaveLength(0);
    } finally {
      await opened.close();
    }
  });
});
