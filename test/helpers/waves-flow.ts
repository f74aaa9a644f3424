import { sql, type SQL } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { deliver, eventually } from "./deliver.js";
import { type FakeRepository, type GithubFake, startGithubFake } from "./github-fake/index.js";
import { networkStackFiles } from "./network-stack.js";
import {
  BASE,
  commentOnPullRequest,
  HEAD,
  inRepository,
  MERGE_BASE,
  openedExample,
  PULL_NUMBER,
  type ScenarioRepository,
} from "./pull-request-scenario.js";
import { repoTarball } from "./repo-tarball.js";
import { standInWith } from "./stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "./test-bosun.js";

/**
 * The flows of dependency waves, reverts and promotion (test/integration/github/waves-flow,
 * revert-flow, promote-flow): the real server with the stand-in engine against a fake GitHub
 * repository, stacks chained by depends_on, and queries on what the database recorded. PGlite
 * unless a file asks for another database: each test applies several components one wave after
 * the other, so running every file twice would take it well past its time budget.
 */

export const OTHER_HEAD = "3333333333333333333333333333333333333333";
/** Applying this resource fails (the stand-in's STANDIN_FAIL_RESOURCE): the failing middle. */
export const FAILING_RESOURCE = "null_resource.boom";

const stackFile = (variables: string[], resource: string, output: string) =>
  [
    ...variables.map((name) => `variable "${name}" {}`),
    `resource "null_resource" "${resource}" {`,
    "  triggers = {",
    ...variables.map((name) => `    ${name} = var.${name}`),
    "  }",
    "}",
    `output "${output}" {`,
    `  value = null_resource.${resource}.id`,
    "}",
    "",
  ].join("\n");

const stackFiles: Record<string, string> = {
  ...networkStackFiles,
  "infra/db/main.tf": stackFile(["vpc_id"], "db", "db_id"),
  "infra/cache/main.tf": stackFile(["vpc_id"], "cache", "cache_id"),
  "infra/broken/main.tf": stackFile(["vpc_id"], "boom", "broken_id"),
  "infra/app/main.tf": stackFile(["db_id", "cache_id"], "app", "app_id"),
};

export const environments = `environments:
  dev:
    variables:
      region: eu-west-1
  prod:
    variables:
      region: us-east-1
    promote_from: dev
    production: true
`;
export const network = (envs = "[dev]") => `  - name: network
    dir: infra/network
    environments: ${envs}
    var_files: ["env/\${environment}.tfvars"]
`;
export const downstream = (
  name: string,
  dir: string,
  upstreams: Record<string, Record<string, string>>,
) =>
  `  - name: ${name}
    dir: infra/${dir}
    environments: [dev]
    depends_on:
${Object.entries(upstreams)
  .map(
    ([stack, inputs]) =>
      `      - stack: ${stack}\n        inputs: { ${Object.entries(inputs)
        .map(([variable, output]) => `${variable}: ${output}`)
        .join(", ")} }`,
  )
  .join("\n")}
`;

export const chain = `version: 1
${environments}stacks:
${network()}${downstream("db", "db", { network: { vpc_id: "vpc_id" } })}${downstream("app", "app", {
  db: { db_id: "db_id" },
  cache: { cache_id: "cache_id" },
})}${downstream("cache", "cache", { network: { vpc_id: "vpc_id" } })}`;

/** network → db and broken (which fails to apply) → app: a diamond with a failing side. */
export const diamond = `version: 1
${environments}stacks:
${network()}${downstream("db", "db", { network: { vpc_id: "vpc_id" } })}${downstream("broken", "broken", { network: { vpc_id: "vpc_id" } })}${downstream("app", "app", { db: { db_id: "db_id" }, broken: { cache_id: "broken_id" } })}`;

export const single = (envs: string) => `version: 1
${environments}stacks:
${network(envs)}`;

/**
 * Each test works on a repository of its own, so nothing carries over between tests. `knobs`:
 * the stand-in's test knobs (STANDIN_DELAY_MS, …) on top of the failing resource.
 */
export function useWavesFlow(
  prefix: string,
  firstRepositoryId: number,
  kind: "pglite" | "postgres" = "pglite",
  knobs: Record<string, string> = {},
) {
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;
  let repository: ScenarioRepository;

  beforeAll(async () => {
    const port = await freePort();
    bosun = await startTestBosun(kind, {
      port,
      env: {
        BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
        BOSUN_TOFU_BIN: await standInWith({ STANDIN_FAIL_RESOURCE: FAILING_RESOURCE, ...knobs }),
        BOSUN_WORKERS: "2",
      },
    });
  });
  afterAll(async () => {
    await bosun?.close();
  });

  let testNumber = 0;
  beforeEach(async () => {
    testNumber += 1;
    repository = {
      id: firstRepositoryId + testNumber,
      fullName: `Codertocat/${prefix}-${testNumber}`,
    };
    github = await startGithubFake();
    repo = github.repository(repository.fullName);
    repo.pull.head.sha = HEAD;
    repo.pull.base.sha = BASE;
    repo.compare.merge_base_commit.sha = MERGE_BASE;
    repo.permissions.set("Codertocat", "admin");
  });
  afterEach(async () => {
    await settled(bosun);
    await github.close();
    github.verify();
  });

  /** The same bosun.yml and stacks on the tracked branch, the merge base and each given commit. */
  async function useConfig(config: string, commits: Record<string, Record<string, string>>) {
    repo.files.set("master", { "bosun.yml": config });
    repo.files.set(MERGE_BASE, { "bosun.yml": config });
    repo.tarballs.set(MERGE_BASE, await repoTarball({ "bosun.yml": config, ...stackFiles }));
    for (const [sha, overrides] of Object.entries(commits)) await useCommit(sha, config, overrides);
  }
  /** A commit of the pull request with a bosun.yml of its own (the tracked branch keeps its). */
  async function useCommit(sha: string, config: string, overrides: Record<string, string> = {}) {
    const files = { "bosun.yml": config, ...stackFiles, ...overrides };
    repo.files.set(sha, { "bosun.yml": config });
    repo.tarballs.set(sha, await repoTarball(files));
  }
  const changed = (...dirs: string[]) => {
    repo.compare.files = dirs.map((dir) => ({
      filename: `infra/${dir}/main.tf`,
      status: "modified",
    }));
  };
  const openPullRequest = async (number = PULL_NUMBER, headSha = HEAD) => {
    const payload = structuredClone(openedExample);
    (payload.pull_request as { number: number; head: { sha: string } }).number = number;
    (payload.pull_request as { head: { sha: string } }).head.sha = headSha;
    const { status } = await deliver(bosun.url, "pull_request", inRepository(payload, repository));
    expect(status).toBe(200);
  };
  const comment = async (body: string, user = "Codertocat", number = PULL_NUMBER) => {
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, body, user, number));
  };
  const waitForCheck = (name: string, conclusion: string, after = 0) =>
    eventually(
      async () => {
        const check = repo.checkRuns.filter((run) => run.name === name).at(-1);
        return check?.conclusion === conclusion && repo.checkRuns.indexOf(check) >= after
          ? check
          : undefined;
      },
      { timeoutMs: 90_000 },
    );
  const replyTo = (user: string, count = 1) =>
    eventually(async () => {
      const replies = repo.commentsOn(PULL_NUMBER).filter((body) => body.startsWith(`@${user}`));
      return replies.length >= count ? replies.at(-1) : undefined;
    });

  async function query<T>(statement: SQL): Promise<T[]> {
    const result = await bosun.database.db.execute(statement);
    return (
      Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows
    ) as T[];
  }
  /** Every component of every run of this repository, in run order then wave order. */
  const components = () =>
    query<{
      run_id: string;
      stack: string;
      environment: string;
      phase: string;
      wave: number;
      failure_reason: string | null;
      trigger: string;
    }>(sql`select rc.run_id, s.name as stack, e.name as environment, rc.phase, rc.wave,
             rc.failure_reason, r.trigger
           from run_components rc
           join runs r on r.id = rc.run_id
           join components c on c.id = rc.component_id
           join stacks s on s.id = c.stack_id
           join environments e on e.id = c.environment_id
           where r.repository_id = ${repository.id}
           order by r.created_at, rc.wave, s.name`);
  const revisionsOf = (stack: string, environment = "dev") =>
    query<{
      run_id: string;
      commit_sha: string;
      inputs: { variables: Record<string, unknown> };
      outputs: Record<string, unknown>;
    }>(sql`select v.run_id, v.commit_sha, v.inputs, v.outputs
           from revisions v
           join components c on c.id = v.component_id
           join stacks s on s.id = c.stack_id
           join environments e on e.id = c.environment_id
           where s.repository_id = ${repository.id} and s.name = ${stack} and e.name = ${environment}
           order by v.finished_at`);
  const confirmations = () =>
    query<{ actor: string; cause: string }>(sql`select ev.actor, ev.cause from run_events ev
           join runs r on r.id = ev.run_id
           where r.repository_id = ${repository.id} and ev.to_state = 'CONFIRMED'`);

  return {
    get bosun() {
      return bosun;
    },
    get repo() {
      return repo;
    },
    get repositoryId() {
      return repository.id;
    },
    useConfig,
    useCommit,
    changed,
    openPullRequest,
    comment,
    waitForCheck,
    replyTo,
    query,
    components,
    revisionsOf,
    confirmations,
  };
}
