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
const rerequestedExample = example(
  "check_run",
  (p) => p.action === "rerequested" && !!p.installation,
);
const SHA = (digit: string) => digit.repeat(40);

const bosunYml = `version: 1
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

describe.each(databaseKinds)("GitHub's Re-run of a bosun check run on %s", (kind) => {
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
    repositoryId = 820_000 + testNumber;
    REPO = `Codertocat/rerun-${kind}-${testNumber}`;
    github = await startGithubFake();
    repo = github.repository(REPO);
    repo.permissions.set("Codertocat", "admin");
    repo.permissions.set("reader", "read");
    repo.files.set("master", { "bosun.yml": bosunYml });
    repo.compare.files = [{ filename: "infra/network/main.tf", status: "modified" }];
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

  const inRepo = (payload: Record<string, unknown>) => {
    Object.assign(payload.repository as object, {
      id: repositoryId,
      full_name: REPO,
      name: REPO.split("/")[1],
    });
    return payload;
  };
  const runsOf = async () => {
    const result = await bosun.database.db.execute(sql`
      select id, kind, commit_sha, trigger, triggered_by, repeats_run_id from runs
      where repository_id = ${repositoryId} order by created_at`);
    return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
      id: string;
      kind: string;
      commit_sha: string;
      trigger: string;
      triggered_by: string;
      repeats_run_id: string | null;
    }[];
  };
  const rerequest = async (checkRunId: number, sender: string) => {
    const payload = inRepo(structuredClone(rerequestedExample));
    Object.assign(payload.check_run as object, { id: checkRunId, name: "bosun/dev" });
    Object.assign(payload.sender as object, { login: sender });
    const { status } = await deliver(bosun.url, "check_run", payload);
    expect(status).toBe(200);
  };

  it("re-runs a tracked run as a tracked run of the same commit, for a writer only", async () => {
    const push = inRepo(structuredClone(pushExample));
    Object.assign(push, { before: SHA("a"), after: SHA("b"), forced: false, created: false });
    await deliver(bosun.url, "push", push);
    const check = await eventually(
      async () =>
        repo.checkRuns.find(
          (run) => run.head_sha === SHA("b") && run.conclusion === "action_required",
        ),
      { timeoutMs: 60_000 },
    );
    await settled(bosun);

    await rerequest(check.id, "reader");
    await settled(bosun);
    // A reader's Re-run starts nothing (a tracked run has no pull request to answer on).
    expect(await runsOf()).toHaveLength(1);

    await rerequest(check.id, "Codertocat");
    await settled(bosun);
    const [first, second] = await runsOf();
    expect(second).toMatchObject({
      kind: "tracked",
      commit_sha: SHA("b"),
      trigger: first!.trigger,
      triggered_by: "Codertocat",
      repeats_run_id: first!.id,
    });
  });
});
