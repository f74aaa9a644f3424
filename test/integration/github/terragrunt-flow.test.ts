import { and, asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { phaseLogLines, runComponents, runPhases, runs } from "../../../src/store/schema/index.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  type FakeRepository,
  type GithubFake,
  startGithubFake,
} from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import {
  commentOnPullRequest,
  inRepository,
  openedExample,
  stagePullRequest,
  type ScenarioRepository,
} from "../../helpers/pull-request-scenario.js";
import { STAND_IN_TERRAGRUNT } from "../../helpers/stand-in.js";
import { settled, startFlowBosun, type TestBosun } from "../../helpers/test-bosun.js";

const terragruntYml = `version: 1
environments:
  dev:
    variables:
      region: eu-west-1
stacks:
  - name: network
    dir: infra/network
    engine: terragrunt
    terragrunt: { engine: terraform }
    environments: [dev]
    var_files: ["env/\${environment}.tfvars"]
steps:
  after_init:
    - name: where
      run: ls terragrunt.hcl ../../root.hcl
`;

/** The stack with its terragrunt.hcl, which includes a file two folders up. */
const terragruntFiles = {
  "bosun.yml": terragruntYml,
  ...networkStackFiles,
  "infra/network/terragrunt.hcl":
    'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n',
  "root.hcl": "# settings every stack shares\n",
};

describe("engine: terragrunt, through a pull request with Terragrunt's stand-in", () => {
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;
  let repository: ScenarioRepository;

  beforeAll(async () => {
    bosun = await startFlowBosun("pglite", { env: { BOSUN_TERRAGRUNT_BIN: STAND_IN_TERRAGRUNT } });
  });
  afterAll(async () => {
    await bosun?.close();
  });

  let testNumber = 0;
  beforeEach(async () => {
    testNumber += 1;
    repository = { id: 940_000 + testNumber, fullName: `Codertocat/terragrunt-${testNumber}` };
    github = await startGithubFake();
    repo = github.repository(repository.fullName);
  });
  afterEach(async () => {
    await settled(bosun);
    await github.close();
    github.verify();
  });

  const open = async (files: Record<string, string>) => {
    await stagePullRequest(repo, { headFiles: files });
    repo.files.set("master", { "bosun.yml": terragruntYml });
    const { status } = await deliver(
      bosun.url,
      "pull_request",
      inRepository(openedExample, repository),
    );
    expect(status).toBe(200);
  };
  const concluded = (conclusion: string, count = 1) =>
    eventually(
      async () => {
        const checks = repo.checkRuns.filter((run) => run.name === "bosun/dev");
        const last = checks.at(-1);
        return checks.length >= count && last?.conclusion === conclusion ? last : undefined;
      },
      { timeoutMs: 90_000 },
    );
  /** Each phase's (or step's) log of the repository's component, in order. */
  const logs = async () => {
    const rows = await bosun.database.db
      .select({
        phase: runPhases.phase,
        step: runPhases.step,
        line: phaseLogLines.line,
        sandbox: runPhases.sandbox,
      })
      .from(phaseLogLines)
      .innerJoin(runPhases, eq(phaseLogLines.phaseId, runPhases.id))
      .innerJoin(runComponents, eq(runPhases.runComponentId, runComponents.id))
      .innerJoin(runs, eq(runComponents.runId, runs.id))
      .where(and(eq(runs.repositoryId, repository.id)))
      .orderBy(asc(phaseLogLines.id));
    return rows.map((row) => `${row.step ?? row.phase}: ${row.line}`);
  };

  it("plans and applies with Terraform underneath, on the whole checkout, sandboxed", async () => {
    await open(terragruntFiles);
    const planned = await concluded("action_required");
    expect(planned.output?.title).toMatch(/1 to add/);
    await settled(bosun);
    const planLogs = await logs();
    expect(planLogs).toEqual(
      expect.arrayContaining([
        "PREPARING: engine: through Terragrunt",
        "INITIALIZING: terraform 1.14.6",
        "INITIALIZING: terragrunt: terraform init",
        "where: ../../root.hcl",
        "where: terragrunt.hcl",
        "PLANNING: terragrunt: terraform plan",
      ]),
    );
    const [run] = await bosun.database.db
      .select({ engine: runs.engineVersion })
      .from(runs)
      .where(eq(runs.repositoryId, repository.id));
    expect(run?.engine).toMatch(/^Terraform /);

    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply"));
    await concluded("success", 2);
    await settled(bosun);
    expect(await logs()).toContain("APPLYING: terragrunt: terraform apply");
    const sandboxes = await bosun.database.db
      .selectDistinct({ sandbox: runPhases.sandbox })
      .from(runPhases)
      .innerJoin(runComponents, eq(runPhases.runComponentId, runComponents.id))
      .innerJoin(runs, eq(runComponents.runId, runs.id))
      .where(eq(runs.repositoryId, repository.id));
    expect(sandboxes).toEqual([{ sandbox: "bubblewrap" }]);
  });

  it("fails a stack without terragrunt.hcl with Terragrunt's own error", async () => {
    const { "infra/network/terragrunt.hcl": _config, ...withoutConfig } = terragruntFiles;
    await open(withoutConfig);
    const failed = await concluded("failure");
    expect(failed.output?.text).toContain("terragrunt.hcl not found");
  });
});
