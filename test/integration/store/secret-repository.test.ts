import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateEncryptionKey, SealError, seal } from "../../../src/lib/seal.js";
import type { Database } from "../../../src/store/database.js";
import { stackSecrets } from "../../../src/store/schema/index.js";
import {
  createSecretRepository,
  type SecretRepository,
} from "../../../src/store/secret-repository.js";
import {
  databaseKinds,
  openScratchDatabase,
  type OpenScratchDatabase,
} from "../../helpers/databases.js";
import { seedRepository } from "../../helpers/seed.js";

const REPO = 1296269;

/** Secrets per stack, per environment and per phase, on both databases with the real migrations. */
describe.each(databaseKinds)("stack secrets on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let database: Database;
  let secrets: SecretRepository;
  const { key } = generateEncryptionKey();

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    database = opened.database;
    await seedRepository(database.db);
    secrets = createSecretRepository(database.db, key);
  });
  afterAll(async () => {
    await opened.close();
  });
  beforeEach(async () => {
    await database.db.delete(stackSecrets);
  });

  const set = (
    name: string,
    value: string,
    scope: "plan" | "apply" | "both",
    environment?: string,
    stackName = "network",
  ) => secrets.set({ repositoryId: REPO, stackName, environment, name, scope, value });
  const forPhase = (
    environment: string,
    phase: "plan" | "apply",
    stackWide = true,
    stackName = "network",
  ) => secrets.forPhase(REPO, stackName, environment, phase, { stackWide });

  it("gives an environment its own value over the stack-wide one, and no other environment's", async () => {
    await set("DB_PASSWORD", "stack-wide-pw", "both");
    await set("DB_PASSWORD", "dev-pw", "both", "dev");
    await set("DB_PASSWORD", "prod-pw", "both", "prod");
    await set("PROD_ONLY", "prod-only-value", "both", "prod");
    await set("SHARED_TOKEN", "shared-value", "both");
    await set("DB_PASSWORD", "app-pw", "both", "dev", "app");

    expect(await forPhase("dev", "plan")).toEqual({
      DB_PASSWORD: "dev-pw",
      SHARED_TOKEN: "shared-value",
    });
    expect(await forPhase("prod", "apply")).toEqual({
      DB_PASSWORD: "prod-pw",
      PROD_ONLY: "prod-only-value",
      SHARED_TOKEN: "shared-value",
    });
    // An environment with nothing of its own gets the stack-wide values only.
    expect(await forPhase("staging", "plan")).toEqual({
      DB_PASSWORD: "stack-wide-pw",
      SHARED_TOKEN: "shared-value",
    });
    // Another stack's secret of the same environment stays with that stack.
    expect(await forPhase("dev", "plan", true, "app")).toEqual({ DB_PASSWORD: "app-pw" });
  });

  it("withholds stack-wide secrets from an environment the tracked branch does not declare", async () => {
    await set("DB_PASSWORD", "stack-wide-pw", "both");
    await set("SHARED_TOKEN", "shared-value", "both");
    await set("PREVIEW_TOKEN", "preview-value", "both", "preview");

    expect(await forPhase("preview", "plan", false)).toEqual({ PREVIEW_TOKEN: "preview-value" });
    expect(await forPhase("preview", "apply", false)).toEqual({ PREVIEW_TOKEN: "preview-value" });
    expect(await forPhase("dev", "plan", false)).toEqual({});
  });

  it("gives each phase the secrets scoped to it; an environment's secret overrides by name, scope and all", async () => {
    await set("READ_KEY", "read-value", "plan");
    await set("WRITE_KEY", "write-value", "apply");
    await set("BOTH_KEY", "both-value", "both");
    // prod's BOTH_KEY is for apply only: prod's plan gets neither it nor the stack-wide one.
    await set("BOTH_KEY", "prod-apply-value", "apply", "prod");

    expect(await forPhase("dev", "plan")).toEqual({
      READ_KEY: "read-value",
      BOTH_KEY: "both-value",
    });
    expect(await forPhase("dev", "apply")).toEqual({
      WRITE_KEY: "write-value",
      BOTH_KEY: "both-value",
    });
    expect(await forPhase("prod", "plan")).toEqual({ READ_KEY: "read-value" });
    expect(await forPhase("prod", "apply")).toEqual({
      WRITE_KEY: "write-value",
      BOTH_KEY: "prod-apply-value",
    });
  });

  it("opens a stack-wide row sealed before secrets had environments", async () => {
    // As the previous release sealed it: no environment in the additional data.
    await database.db.insert(stackSecrets).values({
      repositoryId: REPO,
      stackName: "network",
      name: "LEGACY_TOKEN",
      scope: "both",
      sealedValue: seal(key, Buffer.from("legacy-value"), `secret:${REPO}:network:LEGACY_TOKEN`),
    });
    expect(await forPhase("dev", "plan")).toEqual({ LEGACY_TOKEN: "legacy-value" });
  });

  it("refuses a sealed value moved to another environment or made stack-wide", async () => {
    await set("DB_PASSWORD", "dev-pw", "both", "dev");
    await set("DB_PASSWORD", "prod-pw", "both", "prod");
    await set("DB_PASSWORD", "stack-wide-pw", "both");
    const sealedOf = async (environment: string | undefined) => {
      const [row] = await database.db
        .select({ sealedValue: stackSecrets.sealedValue })
        .from(stackSecrets)
        .where(
          environment === undefined
            ? isNull(stackSecrets.environmentName)
            : eq(stackSecrets.environmentName, environment),
        );
      return row!.sealedValue;
    };
    const replace = (environment: string | undefined, sealedValue: Buffer) =>
      database.db
        .update(stackSecrets)
        .set({ sealedValue })
        .where(
          environment === undefined
            ? isNull(stackSecrets.environmentName)
            : eq(stackSecrets.environmentName, environment),
        );
    const prod = await sealedOf("prod");
    const dev = await sealedOf("dev");

    // Someone with write access to the table copies prod's value into dev's row.
    await replace("dev", prod);
    await expect(forPhase("dev", "plan")).rejects.toBeInstanceOf(SealError);
    // ...or dev's into the stack-wide row, which every environment without its own would get.
    await replace("dev", dev);
    await replace(undefined, dev);
    await expect(forPhase("staging", "plan")).rejects.toBeInstanceOf(SealError);
  });

  it("keeps one row per stack, environment and name: setting again updates it", async () => {
    await set("DB_PASSWORD", "first", "plan");
    await set("DB_PASSWORD", "second", "both");
    await set("DB_PASSWORD", "dev-first", "plan", "dev");
    await set("DB_PASSWORD", "dev-second", "apply", "dev");

    const rows = await database.db
      .select({ environmentName: stackSecrets.environmentName, scope: stackSecrets.scope })
      .from(stackSecrets)
      .where(and(eq(stackSecrets.repositoryId, REPO), eq(stackSecrets.name, "DB_PASSWORD")))
      .orderBy(stackSecrets.environmentName);
    expect(rows).toEqual([
      { environmentName: "dev", scope: "apply" },
      { environmentName: null, scope: "both" },
    ]);
    expect(await forPhase("staging", "plan")).toEqual({ DB_PASSWORD: "second" });
    expect(await forPhase("dev", "apply")).toEqual({ DB_PASSWORD: "dev-second" });

    // The database itself refuses a second stack-wide row: its nulls are not distinct.
    await expect(
      database.db.insert(stackSecrets).values({
        repositoryId: REPO,
        stackName: "network",
        name: "DB_PASSWORD",
        scope: "both",
        sealedValue: Buffer.from("x"),
      }),
    ).rejects.toThrow();
  });

  it("lists a stack's secrets, or one environment's with the stack-wide ones, and deletes exactly one", async () => {
    await set("DB_PASSWORD", "stack-wide-pw", "both");
    await set("DB_PASSWORD", "dev-pw", "plan", "dev");
    await set("API_KEY", "prod-key", "apply", "prod");
    const names = (listed: Awaited<ReturnType<SecretRepository["list"]>>) =>
      listed.map(({ name, environment, scope }) => ({ name, environment, scope }));

    expect(names(await secrets.list(REPO, "network", undefined))).toEqual([
      { name: "API_KEY", environment: "prod", scope: "apply" },
      { name: "DB_PASSWORD", environment: undefined, scope: "both" },
      { name: "DB_PASSWORD", environment: "dev", scope: "plan" },
    ]);
    expect(names(await secrets.list(REPO, "network", "dev"))).toEqual([
      { name: "DB_PASSWORD", environment: undefined, scope: "both" },
      { name: "DB_PASSWORD", environment: "dev", scope: "plan" },
    ]);

    expect(await secrets.remove(REPO, "network", undefined, "DB_PASSWORD")).toBe(true);
    expect(await secrets.remove(REPO, "network", undefined, "DB_PASSWORD")).toBe(false);
    expect(await secrets.remove(REPO, "network", "staging", "API_KEY")).toBe(false);
    expect(names(await secrets.list(REPO, "network", undefined))).toEqual([
      { name: "API_KEY", environment: "prod", scope: "apply" },
      { name: "DB_PASSWORD", environment: "dev", scope: "plan" },
    ]);
  });
});
