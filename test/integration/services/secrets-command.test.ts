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
    expect(listed.stdout).toMatch(/^AWS_SECRET_ACCESS_KEY\tapply\t\*\t/);
    expect(String(listed.stdout)).not.toContain("wJalr");
    const [row] = await database.db.select().from(stackSecrets);
    expect(row?.sealedValue.includes(Buffer.from("wJalrXUtnFEMI"))).toBe(false);
    expect(await admin.forPhase(1296269, "network", "dev", "plan", { stackWide: true })).toEqual(
      {},
    );
    expect(await admin.forPhase(1296269, "network", "dev", "apply", { stackWide: true })).toEqual({
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
    expect(await admin.forPhase(1296269, "network", "dev", "apply", { stackWide: true })).toEqual(
      {},
    );
  });

  it("sets, lists and deletes an environment's secret apart from the stack-wide one", async () => {
    const setIn = (stack: string, value: string, scope = "both") =>
      setSecretCommand(admin, {
        repository: "acme/infra",
        stack,
        name: "DB_PASSWORD",
        scope,
        value,
      });
    expect(await setIn("network", "stack-wide-pw")).toEqual({
      exitCode: 0,
      stdout: "secret DB_PASSWORD set for acme/infra:network (all environments) (both)\n",
      stderr: "",
    });
    expect(await setIn("network@prod", "prod-pw", "apply")).toEqual({
      exitCode: 0,
      stdout: "secret DB_PASSWORD set for acme/infra:network@prod (apply)\n",
      stderr: "",
    });
    await setIn("network@dev", "dev-pw");
    await setIn("app@dev", "app-pw");

    const list = async (stack: string) => {
      const listed = await listSecretsCommand(admin, { repository: "acme/infra", stack });
      expect(listed.exitCode).toBe(0);
      return String(listed.stdout)
        .trimEnd()
        .split("\n")
        .map((line) => {
          const [name, scope, environment, updatedAt] = line.split("\t");
          expect(Number.isNaN(Date.parse(updatedAt ?? ""))).toBe(false);
          return [name, scope, environment];
        });
    };
    expect(await list("network")).toEqual([
      ["DB_PASSWORD", "both", "*"],
      ["DB_PASSWORD", "both", "dev"],
      ["DB_PASSWORD", "apply", "prod"],
    ]);
    expect(await list("network@prod")).toEqual([
      ["DB_PASSWORD", "both", "*"],
      ["DB_PASSWORD", "apply", "prod"],
    ]);
    const everything = await listSecretsCommand(admin, {
      repository: "acme/infra",
      stack: "network",
    });
    for (const value of ["stack-wide-pw", "prod-pw", "dev-pw"])
      expect(String(everything.stdout)).not.toContain(value);

    expect(
      await admin.forPhase(1296269, "network", "prod", "apply", { stackWide: true }),
    ).toMatchObject({ DB_PASSWORD: "prod-pw" });
    expect(
      await deleteSecretCommand(admin, {
        repository: "acme/infra",
        stack: "network@prod",
        name: "DB_PASSWORD",
      }),
    ).toEqual({
      exitCode: 0,
      stdout: "secret DB_PASSWORD deleted from acme/infra:network@prod\n",
      stderr: "",
    });
    // prod falls back to the stack-wide value; dev keeps its own.
    expect(
      await admin.forPhase(1296269, "network", "prod", "apply", { stackWide: true }),
    ).toMatchObject({ DB_PASSWORD: "stack-wide-pw" });
    expect(
      await admin.forPhase(1296269, "network", "dev", "apply", { stackWide: true }),
    ).toMatchObject({ DB_PASSWORD: "dev-pw" });
    const again = await deleteSecretCommand(admin, {
      repository: "acme/infra",
      stack: "network@prod",
      name: "DB_PASSWORD",
    });
    expect(again).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: "bosun: no secret DB_PASSWORD on acme/infra:network@prod\n",
    });
  });

  it.each([
    ["set", "network@Prod", '"Prod" is not an environment name'],
    ["set", "network@", '"" is not an environment name'],
    ["set", "network@dev@prod", '"dev@prod" is not an environment name'],
    ["set", "Network", '"Network" is not a stack name'],
    ["list", "network@prod/eu", '"prod/eu" is not an environment name'],
    ["delete", "@prod", '"" is not a stack name'],
  ] as const)("%s refuses the target %s clearly", async (command, stack, message) => {
    const input = { repository: "acme/infra", stack, name: "TOKEN", scope: "plan", value: "v" };
    const result =
      command === "set"
        ? await setSecretCommand(admin, input)
        : command === "list"
          ? await listSecretsCommand(admin, input)
          : await deleteSecretCommand(admin, input);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^bosun: /);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("STACK@ENVIRONMENT");
  });

  it.each([
    [{ name: "bad-name" }, "must be an environment variable name"],
    [{ name: "TF_HTTP_PASSWORD" }, "is set by Bosun for every engine run"],
    [{ scope: "always" }, "--scope must be one of plan, apply, both"],
    [{ value: "" }, "value read from stdin is empty"],
    [{ repository: "acme/unknown" }, "repository acme/unknown is not known to Bosun"],
    [{ stack: "network@prod", scope: "sometimes" }, "--scope must be one of plan, apply, both"],
    [
      { repository: "acme/unknown", stack: "network@prod" },
      "repository acme/unknown is not known to Bosun",
    ],
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
    const setProd = cli(
      ["secrets", "set", "acme/infra", "network@prod", "TF_VAR_db_password", "--scope", "apply"],
      "prod-hunter3-value",
    );
    expect(setProd.stderr).toBe("");
    expect(setProd.status).toBe(0);
    const list = cli(["secrets", "list", "acme/infra", "network"]);
    expect(list.stdout).toMatch(/^TF_VAR_db_password\tboth\t\*\t/m);
    expect(list.stdout).toMatch(/^TF_VAR_db_password\tapply\tprod\t/m);
    const printed = list.stdout + list.stderr + set.stdout + setProd.stdout;
    expect(printed).not.toContain("hunter2");
    expect(printed).not.toContain("hunter3");
    const deleted = cli(["secrets", "delete", "acme/infra", "network@prod", "TF_VAR_db_password"]);
    expect(deleted.status).toBe(0);
    expect(cli(["secrets", "list", "acme/infra", "network@prod"]).stdout).not.toContain("prod");

    const badEnvironment = cli(["secrets", "list", "acme/infra", "network@Prod"]);
    expect(badEnvironment.status).toBe(1);
    expect(badEnvironment.stderr).toMatch(/^bosun: "Prod" is not an environment name/);
  });
});
