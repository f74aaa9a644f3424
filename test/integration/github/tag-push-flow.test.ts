import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  startGithubFake,
  type FakeRepository,
  type GithubFake,
} from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { settled, startFlowBosun, type TestBosun } from "../../helpers/test-bosun.js";
import { example } from "../../helpers/webhook-examples.js";

const pushExample = example("push", (p) => p.ref === "refs/heads/master" && !!p.installation);
const SHA = (digit: string) => digit.repeat(40);

/** Two stacks that autodeploy to dev; tags named v* deploy. */
const bosunYml = `version: 1
tracked_tags: ["v*"]
environments:
  dev:
    variables:
      region: eu-west-1
stacks:
  - name: network
    dir: infra/network
    environments: [dev]
    var_files: ["env/\${environment}.tfvars"]
    autodeploy: true
  - name: app
    dir: infra/app
    environments: [dev]
    autodeploy: true
`;

describe.each(databaseKinds)("tag pushes on %s", (kind) => {
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;
  let REPO = "";
  let repositoryId = 0;
  let testNumber = 0;

  beforeAll(async () => {
    bosun = await startFlowBosun(kind);
  });
  afterAll(async () => {
    await bosun?.close();
  });

  beforeEach(async () => {
    testNumber += 1;
    repositoryId = 810_000 + testNumber;
    REPO = `Codertocat/tags-${kind}-${testNumber}`;
    github = await startGithubFake();
    repo = github.repository(REPO);
    repo.files.set("master", { "bosun.yml": bosunYml });
    for (const sha of [SHA("a"), SHA("b")]) {
      repo.files.set(sha, { "bosun.yml": bosunYml });
      repo.tarballs.set(sha, await repoTarball({ "bosun.yml": bosunYml, ...networkStackFiles }));
    }
  });
  afterEach(async () => {
    await settled(bosun);
    await github.close();
    github.verify();
  });

  const pushTag = async (tag: string, commit: string, overrides: Record<string, unknown> = {}) => {
    const payload = structuredClone(pushExample);
    Object.assign(payload, {
      ref: `refs/tags/${tag}`,
      before: SHA("0"),
      // An annotated tag: `after` names the tag object, `head_commit` the commit.
      after: SHA("f"),
      head_commit: { ...(payload.head_commit as object), id: commit },
      created: true,
      forced: false,
      ...overrides,
    });
    Object.assign(payload.repository as object, {
      id: repositoryId,
      full_name: REPO,
      name: REPO.split("/")[1],
    });
    const { status } = await deliver(bosun.url, "push", payload);
    expect(status).toBe(200);
  };
  const stacksRunAt = async (commit: string): Promise<string[]> => {
    const result = await bosun.database.db.execute(sql`
      select s.name from run_components rc
      join runs r on r.id = rc.run_id
      join components c on c.id = rc.component_id
      join stacks s on s.id = c.stack_id
      where r.repository_id = ${repositoryId} and r.commit_sha = ${commit} and r.trigger = 'tag'
      order by s.name`);
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
      name: string;
    }[];
    return rows.map((row) => row.name);
  };
  const applied = (commit: string) =>
    eventually(
      async () =>
        repo.checkRuns.find(
          (run) =>
            run.head_sha === commit && run.name === "bosun/dev" && run.conclusion === "success",
        ),
      { timeoutMs: 60_000 },
    );

  it("deploys every component at the first tag, then only what changed since each deployed", async () => {
    await pushTag("v1.0.0", SHA("a"));
    await applied(SHA("a"));
    await settled(bosun);
    expect(await stacksRunAt(SHA("a"))).toEqual(["app", "network"]);

    // Only the network stack's files changed between a (where both deployed) and b.
    repo.compare.files = [{ filename: "infra/network/main.tf", status: "modified" }];
    await pushTag("v1.1.0", SHA("b"));
    await applied(SHA("b"));
    await settled(bosun);
    expect(await stacksRunAt(SHA("b"))).toEqual(["network"]);
    const comparisons = repo.requests.filter((request) => request.path.includes("/compare/"));
    expect(comparisons.map((request) => request.path)).toEqual([
      `/repos/${REPO}/compare/${SHA("a")}...${SHA("b")}`,
    ]);
    // The first tag deployed both stacks; the second changed nothing the engine would apply.
    expect(repo.deployments.map((deployment) => deployment.body.ref)).toEqual([SHA("a")]);
  });

  it("ignores a tag the tracked branch does not name, and a deleted tag", async () => {
    await pushTag("nightly-2026-12-07", SHA("a"));
    await pushTag("v2.0.0", SHA("a"), { deleted: true, head_commit: null });
    await settled(bosun);
    expect(repo.checkRuns).toEqual([]);
    expect(await stacksRunAt(SHA("a"))).toEqual([]);
  });
});
