import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEncryptionKey } from "../../../src/lib/seal.js";
import {
  deleteSecretCommand,
  listSecretsCommand,
  setSecretCommand,
} from "../../../src/services/secrets-command.js";
import { openDatabase, type Database } from "../../../src/store/database.js";
import { stackSecrets } from "../../../src/store/schema/index.js";
import {
  createSecretRepository,
  type SecretRepository,
} from "../../../src/store/secret-repository.js";
import {
  databaseKinds,
  openScratchDatabase,
  scratchDatabase,
  type OpenScratchDatabase,
  type ScratchDatabase,
} from "../../helpers/databases.js";
import { bosunArguments } from "../../helpers/bosun-cli.js";
import { seedRepository } from "../../helpers/seed.js";

describe.each(databaseKinds)("bosun secrets on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let database: Database;
  let admin: SecretRepository;
  const { key } = generateEncryptionKey();

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    database = opened.database;
    await seedRepository(database.db);
    admin = createSecretRepository(database.db, key);
  });
  afterAll(async () => {
    await opened.close();
  });

  it("sets, lists (names only), scopes and deletes a secret, sealed at rest", async () => {
    const set = await setSecretCommand(admin, {
      repository: "acme/infra",
      stack: "network",
      name: "AWS_SECRET_ACCESS_KEY",
      scope: "apply",
      value: "wJalrXUtnFEMI/K7MDENG\n",
    });
    expect(set).toMatchObject({ exitCode: 0, stderr: "" });
    const listed = await listSecretsCommand(admin, { repository: "acme/infra", stack: "network" });
    expect(listed.stdout).toMatch(/^AWS_SECRET_ACCESS_KEY\tapply\t/);
    expect(String(listed.stdout)).not.toContain("wJalr");
    const [row] = await database.db.select().from(stackSecrets);
    expect(row?.sealedValue.includes(Buffer.from("wJalrXUtnFEMI"))).toBe(false);
    expect(await admin.forPhase(1296269, "network", "plan")).toEqual({});
    expect(await admin.forPhase(1296269, "network", "apply")).toEqual({
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG",
    });
    expect(
      (
        await deleteSecretCommand(admin, {
          repository: "acme/infra",
          stack: "network",
          name: "AWS_SECRET_ACCESS_KEY",
        })
      ).exitCode,
    ).toBe(0);
    expect(await admin.forPhase(1296269, "network", "apply")).toEqual({});
  });

  it.each([
    [{ name: "bad-name" }, "must be an environment variable name"],
    [{ name: "TF_HTTP_PASSWORD" }, "is set by Bosun for every engine run"],
    [{ scope: "always" }, "--scope must be one of plan, apply, both"],
    [{ value: "" }, "value read from stdin is empty"],
    [{ repository: "acme/unknown" }, "repository acme/unknown is not known to Bosun"],
  ])("refuses %o clearly", async (override, message) => {
    const result = await setSecretCommand(admin, {
      repository: "acme/infra",
      stack: "network",
      name: "TOKEN",
      scope: "plan",
      value: "v4lue",
      ...override,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(message);
  });
});

describe("the bosun secrets command", () => {
  let scratch: ScratchDatabase;
  afterAll(() => scratch?.drop());

  it("reads the value from stdin and never prints it", async () => {
    // Already migrated (the template): `bosun migrate` has nothing to do, no initdb in the child.
    scratch = await scratchDatabase("pglite", { migrated: true });
    const env = { PATH: process.env.PATH ?? "", ...scratch.env };
    const cli = (args: string[], input?: string) =>
      spawnSync(process.execPath, bosunArguments(args), {
        env,
        input,
        encoding: "utf8",
      });
    expect(cli(["migrate"]).status).toBe(0);
    const database = await openDatabase({ kind: "pglite", dataDir: `${scratch.dataDir}/pgdata` });
    await seedRepository(database.db);
    await database.close();
    const set = cli(
      ["secrets", "set", "acme/infra", "network", "TF_VAR_db_password", "--scope", "both"],
      "hunter2-value",
    );
    expect(set.stderr).toBe("");
    expect(set.status).toBe(0);
    const list = cli(["secrets", "list", "acme/infra", "network"]);
    expect(list.stdout).toContain("TF_VAR_db_password\tboth");
    expect(list.stdout + list.stderr + set.stdout).not.toContain("hunter2");
  });
});
