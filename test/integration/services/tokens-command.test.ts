import { spawnSync } from "node:child_process";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiToken } from "../../../src/lib/api-token-format.js";
import type { ApiTokenStore } from "../../../src/services/api-token-port.js";
import { authenticateApiToken } from "../../../src/services/authenticate-api-token.js";
import {
  createTokenCommand,
  listTokensCommand,
  revokeTokenCommand,
} from "../../../src/services/tokens-command.js";
import { createApiTokenRepository } from "../../../src/store/api-token-repository.js";
import { openDatabase, type Database } from "../../../src/store/database.js";
import { apiTokens, repositories } from "../../../src/store/schema/index.js";
import { bosunArguments } from "../../helpers/bosun-cli.js";
import {
  databaseKinds,
  openScratchDatabase,
  scratchDatabase,
  type OpenScratchDatabase,
  type ScratchDatabase,
} from "../../helpers/databases.js";
import { seedRepository } from "../../helpers/seed.js";

const INFRA = 1296269;
const APP = 1296270;

describe.each(databaseKinds)("bosun tokens on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let database: Database;
  let store: ApiTokenStore;

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    database = opened.database;
    await seedRepository(database.db, INFRA);
    await database.db
      .insert(repositories)
      .values({ id: APP, installationId: 1, fullName: "acme/app" });
    store = createApiTokenRepository(database.db);
  });
  afterAll(async () => {
    await opened.close();
  });

  const create = async (name: string, repos: string[], scope = "read") => {
    const result = await createTokenCommand(store, {
      name,
      repositories: repos,
      scope,
      createdBy: "operator",
    });
    return { ...result, token: String(result.stdout).trim() };
  };

  it("creates a token shown once, alone on stdout, and keeps only its hash", async () => {
    const created = await create("ci-deploy", ["acme/infra", "acme/app"], "trigger");
    expect(created.exitCode).toBe(0);
    expect(created.stdout).toMatch(/^bosun_[A-Za-z0-9_-]{43}\n$/);
    expect(created.stderr).toMatch(
      /^token ci-deploy \([0-9a-f-]{36}\) created: trigger on acme\/app, acme\/infra\n/,
    );
    const rows = await database.db.select().from(apiTokens).where(eq(apiTokens.name, "ci-deploy"));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(hashApiToken(created.token));
    expect(JSON.stringify(rows)).not.toContain(created.token.slice(6));

    const authenticated = await authenticateApiToken(store, created.token, new Date());
    expect(authenticated).toEqual({
      kind: "valid",
      token: {
        id: rows[0]!.id,
        name: "ci-deploy",
        scope: "trigger",
        repositoryIds: expect.arrayContaining([INFRA, APP]) as unknown,
      },
    });
  });

  it("is read-only unless asked, and lists every token without its value", async () => {
    const created = await create("dashboard", ["acme/infra"]);
    const listed = await listTokensCommand(store);
    const lines = String(listed.stdout).trim().split("\n");
    expect(lines[0]).toBe("NAME\tID\tSCOPE\tREPOSITORIES\tCREATED\tLAST USED\tREVOKED");
    const row = lines.find((line) => line.startsWith("dashboard\t"))!.split("\t");
    expect(row.slice(2, 4)).toEqual(["read", "acme/infra"]);
    expect(row[4]).toMatch(/^\d{4}-.*Z by operator$/);
    expect(row.slice(5)).toEqual(["never", "-"]);
    expect(String(listed.stdout)).not.toContain(created.token);
  });

  it.each([
    [{ repositories: ["acme/unknown"] }, "repository acme/unknown is not known to Bosun"],
    [{ repositories: [] }, "a token needs at least one repository"],
    [{ scope: "admin" }, "the scope must be one of read, trigger"],
    [{ name: "has space" }, 'token name "has space" must be'],
    [{ name: "ci-deploy" }, "a token named ci-deploy exists"],
  ])("refuses %o clearly and creates nothing", async (override, message) => {
    const before = (await store.list()).length;
    const result = await createTokenCommand(store, {
      name: "fresh",
      repositories: ["acme/infra"],
      scope: "read",
      createdBy: "operator",
      ...override,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
    expect(await store.list()).toHaveLength(before);
  });

  it("refuses tokens it does not know, by reason, without repeating them", async () => {
    const unknown = `bosun_${"A".repeat(43)}`;
    for (const [presented, reason] of [
      [unknown, "this API token is not known to Bosun"],
      ["ghp_notours", "not a Bosun API token (they start with bosun_"],
    ] as const) {
      const result = await authenticateApiToken(store, presented, new Date());
      expect(result).toMatchObject({ kind: "invalid" });
      const text = result.kind === "invalid" ? result.reason : "";
      expect(text).toContain(reason);
      expect(text).not.toContain(presented);
    }
  });

  it("revokes by name or id: the token is refused from then on", async () => {
    const byName = await create("to-revoke", ["acme/infra"]);
    const revoked = await revokeTokenCommand(store, { token: "to-revoke", now: new Date() });
    expect(revoked).toMatchObject({
      exitCode: 0,
      stdout: expect.stringMatching(/^token to-revoke \(/),
    });
    expect(await authenticateApiToken(store, byName.token, new Date())).toEqual({
      kind: "invalid",
      reason: expect.stringMatching(/^this API token was revoked \(\d{4}-/) as unknown,
    });
    expect(
      (await revokeTokenCommand(store, { token: "to-revoke", now: new Date() })).stderr,
    ).toContain("was already revoked");
    // The name is free again once its token is revoked.
    const again = await create("to-revoke", ["acme/infra"]);
    expect(again.exitCode).toBe(0);
    const id = (await store.list()).find(
      (token) => token.name === "to-revoke" && !token.revokedAt,
    )!.id;
    expect((await revokeTokenCommand(store, { token: id, now: new Date() })).exitCode).toBe(0);
    expect((await authenticateApiToken(store, again.token, new Date())).kind).toBe("invalid");
    expect(
      (await revokeTokenCommand(store, { token: "never-made", now: new Date() })).stderr,
    ).toContain("no API token has the id or name never-made");
  });

  it("records the last use at most once a minute", async () => {
    const created = await create("polling", ["acme/infra"]);
    const lastUsed = async () =>
      (await store.list()).find((token) => token.name === "polling")!.lastUsedAt;
    const start = new Date("2030-01-01T00:00:00Z");
    await authenticateApiToken(store, created.token, start);
    expect(await lastUsed()).toEqual(start);
    await authenticateApiToken(store, created.token, new Date(start.getTime() + 59_000));
    expect(await lastUsed()).toEqual(start);
    const later = new Date(start.getTime() + 61_000);
    await authenticateApiToken(store, created.token, later);
    expect(await lastUsed()).toEqual(later);
  });
});

describe("the bosun tokens command", () => {
  let scratch: ScratchDatabase;
  afterAll(() => scratch?.drop());

  it("prints the token alone on its last line, lists and revokes it", async () => {
    // Already migrated (the template): no initdb in the child.
    scratch = await scratchDatabase("pglite", { migrated: true });
    const env = { PATH: process.env.PATH ?? "", ...scratch.env };
    const cli = (args: string[]) =>
      spawnSync(process.execPath, bosunArguments(args), { env, encoding: "utf8" });
    const database = await openDatabase({ kind: "pglite", dataDir: `${scratch.dataDir}/pgdata` });
    await seedRepository(database.db);
    await database.close();

    const created = cli(["tokens", "create", "ci", "--repo", "acme/infra", "--scope", "trigger"]);
    expect(created.status).toBe(0);
    const token = created.stdout.trim().split("\n").at(-1)!;
    expect(token).toMatch(/^bosun_[A-Za-z0-9_-]{43}$/);
    expect(created.stdout).toBe(`${token}\n`);
    expect(created.stderr).toContain("shown this once");

    const listed = cli(["tokens", "list"]);
    expect(listed.stdout).toMatch(/\nci\t[0-9a-f-]{36}\ttrigger\tacme\/infra\t/);
    expect(listed.stdout).not.toContain(token);

    const unknown = cli(["tokens", "create", "other", "--repo", "acme/nope"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("repository acme/nope is not known to Bosun");

    const revoked = cli(["tokens", "revoke", "ci"]);
    expect(revoked.status).toBe(0);
    expect(cli(["tokens", "list"]).stdout).toMatch(/\nci\t.*\t\d{4}-[^\t]*Z\n$/);
  });
});
