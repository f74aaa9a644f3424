import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  startGithubFake,
  type GithubFake,
  type FakeRepository,
} from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { settled, startFlowBosun, type TestBosun } from "../../helpers/test-bosun.js";
import { example } from "../../helpers/webhook-examples.js";

const pushExample = example("push", (p) => p.ref === "refs/heads/master" && !!p.installation);
const SHA = (digit: string) => digit.repeat(40);
const MERGED_PR = 7;

const bosunYml = (extra = { autodeploy: false, variables: "", appStack: true }) => `version: 1
environments:
  dev:
    variables:
      region: eu-west-1
${extra.variables}
stacks:
  - name: network
    dir: infra/network
    environments: [dev]
    var_files: ["env/\${environment}.tfvars"]
    autodeploy: ${extra.autodeploy}
${
  extra.appStack
    ? `  - name: app
    dir: infra/app
    environments: [dev]
    on_remove: destroy
`
    : ""
}`;

describe.each(databaseKinds)("tracked runs on %s", (kind) => {
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

  /** The tracked branch at commit `sha` holds `yml` and the files. */
  const commit = async (
    sha: string,
    yml: string,
    files: Record<string, string> = networkStackFiles,
  ) => {
    repo.files.set(sha, { "bosun.yml": yml });
    repo.tarballs.set(sha, await repoTarball({ "bosun.yml": yml, ...files }));
  };

  beforeEach(async () => {
    testNumber += 1;
    repositoryId = 800_000 + testNumber;
    REPO = `Codertocat/tracked-${kind}-${testNumber}`;
    github = await startGithubFake();
    repo = github.repository(REPO);
    repo.permissions.set("Codertocat", "admin");
    repo.files.set("master", { "bosun.yml": bosunYml() });
    repo.compare.files = [{ filename: "infra/network/main.tf", status: "modified" }];
    await commit(SHA("a"), bosunYml());
    await commit(SHA("b"), bosunYml());
  });
  afterEach(async () => {
    await settled(bosun);
    await github.close();
    github.verify();
  });

  const push = async (before: string, after: string, overrides: Record<string, unknown> = {}) => {
    const payload = structuredClone(pushExample);
    Object.assign(payload, { before, after, forced: false, created: false, ...overrides });
    const repository = payload.repository as { id: number; full_name: string; name: string };
    repository.id = repositoryId;
    repository.full_name = REPO;
    repository.name = REPO.split("/")[1]!;
    const { status } = await deliver(bosun.url, "push", payload);
    expect(status).toBe(200);
  };
  const checkOn = (sha: string, conclusion: string) =>
    eventually(
      async () =>
        repo.checkRuns
          .filter(
            (run) =>
              run.head_sha === sha && run.name === "bosun/dev" && run.conclusion === conclusion,
          )
          .at(-1),
      { timeoutMs: 60_000 },
    );

  it("plans a push with changes and waits for Apply; /apply on the merged pull request applies it", async () => {
    repo.mergedPulls.set(SHA("b"), MERGED_PR);
    await push(SHA("a"), SHA("b"));
    const check = await checkOn(SHA("b"), "action_required");
    expect(check.actions?.map((a) => a.identifier)).toEqual(["apply", "discard"]);
    await settled(bosun);
    const comment = example("issue_comment", (p) => p.action === "created" && !!p.installation);
    Object.assign(comment.repository as object, {
      id: repositoryId,
      full_name: REPO,
      name: REPO.split("/")[1],
    });
    Object.assign(comment.issue as object, { number: MERGED_PR, pull_request: { url: "" } });
    (comment.comment as { body: string }).body = "/apply";
    await deliver(bosun.url, "issue_comment", comment);
    await checkOn(SHA("b"), "success");
    await settled(bosun);
    expect(repo.deployments).toHaveLength(1);
    expect(repo.deployments[0]?.body).toMatchObject({ ref: SHA("b"), environment: "dev" });
    expect(repo.deployments[0]?.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
  });

  it("applies at once with autodeploy and no policy objection", async () => {
    const yml = bosunYml({ autodeploy: true, variables: "", appStack: true });
    repo.files.set("master", { "bosun.yml": yml });
    await commit(SHA("b"), yml);
    await push(SHA("a"), SHA("b"));
    await checkOn(SHA("b"), "success");
    await settled(bosun);
    expect(repo.deployments[0]?.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
    expect(repo.deployments[0]?.statuses[1]?.auto_inactive).toBe(true);
  });

  it("finishes straight from planning when nothing changes, without a deployment", async () => {
    const yml = bosunYml({ autodeploy: true, variables: "", appStack: true });
    repo.files.set("master", { "bosun.yml": yml });
    await commit(SHA("b"), yml);
    await push(SHA("a"), SHA("b"));
    await checkOn(SHA("b"), "success");
    await settled(bosun);
    await commit(SHA("c"), yml);
    await push(SHA("b"), SHA("c"));
    await checkOn(SHA("c"), "success");
    await settled(bosun);
    expect(repo.deployments).toHaveLength(1);
  });

  it("does nothing for tags and other branches", async () => {
    await push(SHA("a"), SHA("b"), { ref: "refs/tags/v1" });
    await push(SHA("a"), SHA("b"), { ref: "refs/heads/feature" });
    await settled(bosun);
    expect(repo.checkRuns).toEqual([]);
  });

  it("fails a push with a broken bosun.yml and deploys nothing", async () => {
    await commit(SHA("b"), "version: 2\nstacks: nope\n");
    await push(SHA("a"), SHA("b"));
    const check = await eventually(async () => repo.checkRun("bosun/config"));
    expect(check.conclusion).toBe("failure");
    expect(check.output?.summary).toMatch(/line 1/);
    expect(repo.deployments).toEqual([]);
  });

  it("holds autodeploy while the tracked branch's bosun.yml is broken: nothing applies without its rules", async () => {
    const yml = bosunYml({ autodeploy: true, variables: "", appStack: true });
    await commit(SHA("b"), yml);
    // A later push broke the tracked branch's bosun.yml while `b` was being planned.
    repo.files.set("master", { "bosun.yml": "version: 2\nstacks: nope\n" });
    await push(SHA("a"), SHA("b"));
    const check = await checkOn(SHA("b"), "action_required");
    await settled(bosun);
    expect(check.actions?.map((a) => a.identifier)).toEqual(["apply", "discard"]);
    expect(repo.deployments).toEqual([]);
    const runs = await bosun.database.db.execute(
      sql`select s.name as stack, rc.phase, rc.change_kind, r.confirmed_by from run_components rc join runs r on r.id = rc.run_id join components c on c.id = rc.component_id join stacks s on s.id = c.stack_id where r.commit_sha = ${SHA("b")} and r.repository_id = ${repositoryId} order by s.name`,
    );
    const rows = (Array.isArray(runs) ? runs : (runs as unknown as { rows: unknown[] }).rows) as {
      phase: string;
      confirmed_by: string | null;
    }[];
    expect(rows).toEqual([
      { stack: "network", phase: "UNCONFIRMED", change_kind: "update", confirmed_by: null },
    ]);
  });

  it("queues a second push behind the first, and applies both in commit order", async () => {
    const yml = bosunYml({ autodeploy: true, variables: "", appStack: true });
    repo.files.set("master", { "bosun.yml": yml });
    await commit(SHA("b"), yml);
    const changed = { ...networkStackFiles, "infra/network/env/dev.tfvars": 'name = "second"\n' };
    await commit(SHA("c"), yml, changed);
    await push(SHA("a"), SHA("b"));
    await push(SHA("b"), SHA("c"));
    await checkOn(SHA("c"), "success");
    await settled(bosun);
    expect(repo.deployments.map((d) => d.body.ref)).toEqual([SHA("b"), SHA("c")]);
    expect(repo.deployments.every((d) => d.statuses.at(-1)?.state === "success")).toBe(true);
  });

  it("destroys a stack removed with on_remove: destroy, and skips applying when told to", async () => {
    const withApp = bosunYml({ autodeploy: true, variables: "", appStack: true });
    repo.files.set("master", { "bosun.yml": withApp });
    await commit(SHA("b"), withApp);
    repo.compare.files = [{ filename: "infra/app/main.tf", status: "modified" }];
    await push(SHA("a"), SHA("b"));
    // `app` does not autodeploy: its Apply button, on a tracked run no pull request started.
    const waiting = await checkOn(SHA("b"), "action_required");
    await settled(bosun);
    const button = example("check_run", (p) => p.action === "requested_action" && !!p.installation);
    button.repository = structuredClone(pushExample.repository);
    Object.assign(button.repository as object, {
      id: repositoryId,
      full_name: REPO,
      name: REPO.split("/")[1],
    });
    (button.check_run as { id: number }).id = waiting.id;
    (button.requested_action as { identifier: string }).identifier = "apply";
    (button.sender as { login: string }).login = "Codertocat";
    await deliver(bosun.url, "check_run", button);
    await checkOn(SHA("b"), "success");
    await settled(bosun);

    const withoutApp = bosunYml({ autodeploy: true, variables: "", appStack: false });
    await commit(SHA("c"), withoutApp);
    repo.compare.files = [{ filename: "bosun.yml", status: "modified" }];
    await push(SHA("b"), SHA("c"));
    const check = await checkOn(SHA("c"), "action_required");
    expect(check.output?.summary).toMatch(/destroy/);

    const skipping = bosunYml({
      autodeploy: true,
      variables: "      BOSUN_SKIP_APPLYING: true",
      appStack: false,
    });
    repo.files.set("master", { "bosun.yml": skipping });
    await commit(SHA("d"), skipping);
    repo.compare.files = [{ filename: "infra/network/main.tf", status: "modified" }];
    await push(SHA("c"), SHA("d"));
    await checkOn(SHA("d"), "success");
    await settled(bosun);
    const skipped = repo.deployments.find((d) => d.body.ref === SHA("d"));
    expect(skipped?.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
  });

  it("holds autodeploy when a policy warns", async () => {
    const policies = (level: "warn" | "deny") => `policies:
  - name: no-new-vpcs
    ${level}: "plan.resource_changes.exists(rc, 'create' in rc.change.actions && rc.type == 'null_resource')"
    message: new VPCs need a second look
`;
    const warned =
      bosunYml({ autodeploy: true, variables: "", appStack: false }) + policies("warn");
    repo.files.set("master", { "bosun.yml": warned });
    await commit(SHA("b"), warned);
    await push(SHA("a"), SHA("b"));
    const held = await checkOn(SHA("b"), "action_required");
    expect(held.output?.summary).toContain("no-new-vpcs");
    expect(repo.deployments).toEqual([]);
  });

  it("fails a plan that a policy denies, naming the rule", async () => {
    const policies = `policies:
  - name: no-new-vpcs
    deny: "plan.resource_changes.exists(rc, 'create' in rc.change.actions && rc.type == 'null_resource')"
    message: new VPCs need a second look
`;
    const denied = bosunYml({ autodeploy: true, variables: "", appStack: false }) + policies;
    repo.files.set("master", { "bosun.yml": denied });
    await commit(SHA("c"), denied);
    await push(SHA("a"), SHA("c"));
    const failed = await checkOn(SHA("c"), "failure");
    expect(`${failed.output?.summary}\n${failed.output?.text}`).toMatch(
      /denied by policy no-new-vpcs: new VPCs need a second look/,
    );
    expect(repo.deployments).toEqual([]);
  });

  it("makes an open pull request's plan stale when a tracked run applies its component", async () => {
    const yml = bosunYml({ autodeploy: true, variables: "", appStack: false });
    repo.files.set("master", { "bosun.yml": yml });
    await commit(SHA("b"), yml);
    // A pull request planned against the deployed head as it was.
    const opened = example("pull_request", (p) => p.action === "opened" && !!p.installation);
    const pull = opened.pull_request as {
      head: { sha: string; repo: { full_name: string } };
      base: { sha: string; repo: { full_name: string } };
    };
    pull.head.sha = SHA("e");
    pull.base.sha = SHA("a");
    pull.head.repo.full_name = REPO;
    pull.base.repo.full_name = REPO;
    Object.assign(opened.repository as object, {
      id: repositoryId,
      full_name: REPO,
      name: REPO.split("/")[1],
    });
    repo.pull.head.sha = SHA("e");
    repo.pull.base.sha = SHA("a");
    repo.compare.merge_base_commit.sha = SHA("a");
    await commit(SHA("e"), yml, {
      ...networkStackFiles,
      "infra/network/env/dev.tfvars": 'name = "pr"\n',
    });
    await deliver(bosun.url, "pull_request", opened);
    await checkOn(SHA("e"), "action_required");
    await settled(bosun);

    await push(SHA("a"), SHA("b"));
    await checkOn(SHA("b"), "success");
    await settled(bosun);
    const stale = repo.checkRuns.filter((run) => run.head_sha === SHA("e")).at(-1)!;
    expect(stale.output?.summary).toMatch(/another run applied network@dev/);
    expect(stale.actions?.map((a) => a.identifier)).toEqual(["discard"]);
  });
  it("orphans a removed stack with on_remove: orphan: no plan, no destroy", async () => {
    const withApp = bosunYml({ autodeploy: true, variables: "", appStack: true }).replace(
      "on_remove: destroy",
      "on_remove: orphan",
    );
    repo.files.set("master", { "bosun.yml": withApp });
    await commit(SHA("a"), withApp);
    const withoutApp = bosunYml({ autodeploy: true, variables: "", appStack: false });
    await commit(SHA("b"), withoutApp);
    repo.compare.files = [{ filename: "bosun.yml", status: "modified" }];
    await push(SHA("a"), SHA("b"));
    const check = await checkOn(SHA("b"), "success");
    await settled(bosun);
    expect(check.output?.summary).toMatch(/orphan/);
    expect(repo.deployments).toEqual([]);
    const runs = await bosun.database.db.execute(
      sql`select rc.phase, rc.change_kind from run_components rc join runs r on r.id = rc.run_id where r.commit_sha = ${SHA("b")} and r.repository_id = ${repositoryId}`,
    );
    const rows = (Array.isArray(runs) ? runs : (runs as unknown as { rows: unknown[] }).rows) as {
      phase: string;
      change_kind: string;
    }[];
    expect(rows).toEqual([{ phase: "FINISHED", change_kind: "orphan" }]);
  });
});
