import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenCommand } from "../../src/services/tokens-command.js";
import { createApiTokenRepository } from "../../src/store/api-token-repository.js";
import { installations, repositories } from "../../src/store/schema/index.js";
import { bosunArguments } from "../helpers/bosun-cli.js";
import { startGithubFake, type GithubFake } from "../helpers/github-fake/index.js";
import { networkStackFiles } from "../helpers/network-stack.js";
import { repoTarball } from "../helpers/repo-tarball.js";
import { settled, startFlowBosun, type TestBosun } from "../helpers/test-bosun.js";

/**
 * `bosun run …` as a person types it, against a running Bosun: the CLI is its own process and
 * reaches the server only through the HTTP API, with BOSUN_URL and BOSUN_TOKEN.
 */

const HEAD = "a".repeat(40);
const FULL_NAME = "Codertocat/people-cli";
const BOSUN_YML = `version: 1
environments:
  dev:
    variables:
      region: eu-west-1
stacks:
  - name: network
    dir: infra/network
    environments: [dev]
    var_files: ["env/\${environment}.tfvars"]
`;

describe("the people's CLI against a running Bosun", () => {
  let bosun: TestBosun;
  let github: GithubFake;
  let triggerToken = "";
  let readToken = "";
  let scratch = "";

  beforeAll(async () => {
    bosun = await startFlowBosun("pglite");
    github = await startGithubFake();
    const repo = github.repository(FULL_NAME);
    repo.permissions.set("Codertocat", "admin");
    repo.branches.set("main", HEAD);
    repo.files.set("main", { "bosun.yml": BOSUN_YML });
    repo.files.set(HEAD, { "bosun.yml": BOSUN_YML });
    repo.tarballs.set(HEAD, await repoTarball({ "bosun.yml": BOSUN_YML, ...networkStackFiles }));
    const db = bosun.database.db;
    await db.insert(installations).values({ id: 4_301, accountLogin: "Codertocat" });
    await db
      .insert(repositories)
      .values({ id: 850_001, installationId: 4_301, fullName: FULL_NAME, defaultBranch: "main" });
    const store = createApiTokenRepository(db);
    const create = async (name: string, scope: string) => {
      const created = await createTokenCommand(store, {
        name,
        repositories: [FULL_NAME],
        scope,
        createdBy: "test",
      });
      return String(created.stdout).trim().split("\n").at(-1)!;
    };
    triggerToken = await create("release-bot", "trigger");
    readToken = await create("dashboard", "read");
    scratch = await mkdtemp(path.join(os.tmpdir(), "bosun-people-cli-"));
  });
  afterAll(async () => {
    if (bosun) await settled(bosun);
    await github?.close();
    await bosun?.close();
  });

  const bosunCli = (args: string[], token = triggerToken) =>
    execa(process.execPath, bosunArguments(args), {
      env: { BOSUN_URL: bosun.url, BOSUN_TOKEN: token },
      extendEnv: false,
      reject: false,
      stripFinalNewline: false,
      timeout: 60_000,
    });

  it("triggers a plan-only run, follows its logs to the end, and lists it", async () => {
    const config = path.join(scratch, "runtime.yml");
    await writeFile(config, "variables:\n  region: us-east-1\n");
    const started = await bosunCli([
      "run",
      "trigger",
      FULL_NAME,
      "network",
      "-e",
      "dev",
      "--plan-only",
      "--runtime-config",
      config,
      "--json",
    ]);
    expect(started.stderr).toBe("");
    expect(started.exitCode).toBe(0);
    const { id, url } = JSON.parse(started.stdout) as { id: string; url: string };
    expect(url).toContain(`/runs/${id}`);

    const followed = await bosunCli(["run", "logs", id, "--follow"]);
    expect(followed.exitCode).toBe(0);
    expect(followed.stdout).toMatch(/^=== network · PLANNING ===$/m);
    expect(followed.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
    expect(followed.stdout).toMatch(
      new RegExp(`^run ${id}: SUCCEEDED \\(\\+\\d+ ~\\d+ -\\d+\\)$`, "m"),
    );

    const listed = await bosunCli(["run", "list", FULL_NAME, "--json"], readToken);
    expect(listed.exitCode).toBe(0);
    const rows = JSON.parse(listed.stdout) as { id: string; kind: string; triggeredBy: string }[];
    expect(rows.find((row) => row.id === id)).toMatchObject({
      kind: "plan",
      triggeredBy: "release-bot (API token)",
    });
    const table = await bosunCli(["run", "list", FULL_NAME], readToken);
    expect(table.stdout.split("\n")[0]).toBe(
      "ID\tKIND\tSTATUS\tENV\tSTACKS\tCHANGES\tCOMMIT\tBY\tCREATED",
    );
  });

  it("confirms a tracked run it triggered, which then applies", async () => {
    const started = await bosunCli(["run", "trigger", FULL_NAME, "network", "-e", "dev", "--json"]);
    const { id } = JSON.parse(started.stdout) as { id: string };
    // Confirming needs the plan: follow the logs until the run waits for approval.
    for (let attempt = 0; attempt < 120; attempt += 1) {
      const shown = await bosunCli(["run", "list", FULL_NAME, "--json"], readToken);
      const row = (JSON.parse(shown.stdout) as { id: string; status: string }[]).find(
        (candidate) => candidate.id === id,
      );
      if (row?.status === "PLANNED") break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const confirmed = await bosunCli(["run", "confirm", id]);
    expect(confirmed.stderr).toBe("");
    expect(confirmed.stdout).toBe(`run ${id} confirmed\n`);
    const followed = await bosunCli(["run", "logs", id, "--follow"]);
    expect(followed.exitCode).toBe(0);
    expect(followed.stdout).toMatch(/^=== network · APPLYING ===$/m);
    expect(followed.stdout).toMatch(new RegExp(`^run ${id}: SUCCEEDED`, "m"));
  });

  it("says why the server refused, with a runtime config's lines, and exits 1", async () => {
    const readOnly = await bosunCli(
      ["run", "trigger", FULL_NAME, "network", "-e", "dev", "--plan-only"],
      readToken,
    );
    expect(readOnly.exitCode).toBe(1);
    expect(readOnly.stderr).toBe(
      "bosun: this token's scope is read; starting runs needs trigger (403)\n",
    );

    const config = path.join(scratch, "bad.yml");
    await writeFile(config, "variables:\n  region: eu\nenv:\n  BOSUN_WORKERS: '0'\n");
    const bad = await bosunCli([
      "run",
      "trigger",
      FULL_NAME,
      "network",
      "-e",
      "dev",
      "--runtime-config",
      config,
    ]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/\(422\)\n {2}line 4 \(env\.BOSUN_WORKERS\): is set by Bosun/);

    const unknown = await bosunCli(["run", "trigger", FULL_NAME, "dns", "-e", "dev"]);
    expect(unknown.stderr).toMatch(
      /^bosun: no stack dns in bosun\.yml at main; its stacks: network \(404\)\n$/,
    );

    const unset = await execa(process.execPath, bosunArguments(["run", "list", FULL_NAME]), {
      env: {},
      extendEnv: false,
      reject: false,
      stripFinalNewline: false,
    });
    expect(unset.exitCode).toBe(1);
    expect(unset.stderr).toMatch(/^bosun: set BOSUN_URL and BOSUN_TOKEN/);
  });
});
