import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiTokenStore } from "../../../src/services/api-token-port.js";
import { createApiToken } from "../../../src/services/create-api-token.js";
import {
  listRepositoryApiTokens,
  type RepositoryStanding,
} from "../../../src/services/list-repository-api-tokens.js";
import { revokeRepositoryApiToken } from "../../../src/services/revoke-repository-api-token.js";
import { createApiTokenRepository } from "../../../src/store/api-token-repository.js";
import { repositories } from "../../../src/store/schema/index.js";
import {
  databaseKinds,
  openScratchDatabase,
  type OpenScratchDatabase,
} from "../../helpers/databases.js";
import { seedRepository } from "../../helpers/seed.js";

/**
 * The API tokens of one repository as its admin manages them on the pages: which are listed, which
 * repositories are named, and which the admin may revoke (every repository a token covers must be
 * theirs to administer).
 */

const INFRA = "acme/infra";
/** How the viewer stands on each repository besides acme/infra, which they administer. */
const STANDINGS: Record<string, RepositoryStanding> = {
  "acme/also-mine": "admin",
  "acme/shared": "reader",
  "acme/secret": "none",
};
const standingOf = (fullName: string) => Promise.resolve(STANDINGS[fullName] ?? "none");

describe.each(databaseKinds)("a repository's API tokens on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let store: ApiTokenStore;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    const db = opened.database.db;
    await seedRepository(db, 1296269);
    await db.insert(repositories).values([
      { id: 1296270, installationId: 1, fullName: "acme/also-mine" },
      { id: 1296271, installationId: 1, fullName: "acme/shared" },
      { id: 1296272, installationId: 1, fullName: "acme/secret" },
    ]);
    store = createApiTokenRepository(db);
    for (const [name, repos] of [
      ["alone", [INFRA]],
      ["with-mine", [INFRA, "acme/also-mine"]],
      ["with-shared", [INFRA, "acme/shared"]],
      ["with-secret", [INFRA, "acme/secret"]],
      ["elsewhere", ["acme/shared"]],
    ] as const) {
      const created = await createApiToken(store, {
        name,
        repositories: repos,
        scope: "read",
        createdBy: "operator",
      });
      if (created.kind !== "created") throw new Error(created.reason);
      ids[name] = created.id;
    }
  });
  afterAll(async () => {
    await opened.close();
  });

  const list = () => listRepositoryApiTokens(store, { repository: INFRA, standingOf });
  const revoke = (name: string) =>
    revokeRepositoryApiToken(store, {
      repository: INFRA,
      tokenId: ids[name]!,
      standingOf,
      now: new Date(),
    });

  it("lists the tokens covering the repository, newest first, naming only what the viewer can read", async () => {
    const tokens = await list();
    expect(
      tokens.map(({ name, repositories, unseenRepositories, revocable }) => ({
        name,
        repositories,
        unseenRepositories,
        revocable,
      })),
    ).toEqual([
      { name: "with-secret", repositories: [INFRA], unseenRepositories: 1, revocable: false },
      {
        name: "with-shared",
        repositories: [INFRA, "acme/shared"],
        unseenRepositories: 0,
        revocable: false,
      },
      {
        name: "with-mine",
        repositories: ["acme/also-mine", INFRA],
        unseenRepositories: 0,
        revocable: true,
      },
      { name: "alone", repositories: [INFRA], unseenRepositories: 0, revocable: true },
    ]);
    expect(JSON.stringify(tokens)).not.toContain("sha256:");
  });

  it("revokes a token every repository of which the viewer administers", async () => {
    expect(await revoke("alone")).toEqual({ kind: "revoked", name: "alone" });
    expect(await revoke("with-mine")).toEqual({ kind: "revoked", name: "with-mine" });
    const listed = await list();
    expect(listed.find((token) => token.name === "alone")).toMatchObject({
      revokedAt: expect.any(Date) as unknown,
      revocable: false,
    });
    expect(await revoke("alone")).toEqual({
      kind: "refused",
      status: 409,
      reason: "token alone was already revoked",
    });
  });

  it("refuses a token that also covers a repository the viewer does not administer, or not this one", async () => {
    for (const name of ["with-shared", "with-secret"]) {
      const refused = await revoke(name);
      expect(refused).toMatchObject({ kind: "refused", status: 403 });
      expect(refused.kind === "refused" && refused.reason).toContain(
        `token ${name} also covers repositories you do not administer`,
      );
    }
    expect(await revoke("elsewhere")).toEqual({
      kind: "refused",
      status: 404,
      reason: "no API token of acme/infra has this id",
    });
    const live = (await store.list()).filter((token) => !token.revokedAt).map((t) => t.name);
    expect(live.sort()).toEqual(["elsewhere", "with-secret", "with-shared"]);
  });
});
