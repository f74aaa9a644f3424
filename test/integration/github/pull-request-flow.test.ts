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
import {
  commentOnPullRequest,
  HEAD,
  inRepository,
  MERGE_BASE,
  networkOnlyYml,
  NEXT_HEAD,
  openedExample,
  PULL_NUMBER,
  stagePullRequest,
  type ScenarioRepository,
} from "../../helpers/pull-request-scenario.js";
import { settled, startFlowBosun, type TestBosun } from "../../helpers/test-bosun.js";
import { example } from "../../helpers/webhook-examples.js";

describe.each(databaseKinds)("the pull-request flow on %s", (kind) => {
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;
  /** Each test works on a repository of its own, so nothing carries over between tests. */
  let repository: ScenarioRepository;

  beforeAll(async () => {
    bosun = await startFlowBosun(kind);
  });
  afterAll(async () => {
    await bosun?.close();
  });

  let testNumber = 0;
  beforeEach(async () => {
    testNumber += 1;
    repository = { id: 700_000 + testNumber, fullName: `Codertocat/hello-${kind}-${testNumber}` };
    github = await startGithubFake();
    repo = github.repository(repository.fullName);
    await stagePullRequest(repo);
  });
  afterEach(async () => {
    await settled(bosun);
    await github.close();
    github.verify();
  });

  const openPullRequest = async (payload = openedExample) => {
    const { status } = await deliver(bosun.url, "pull_request", inRepository(payload, repository));
    expect(status).toBe(200);
  };
  const waitForCheck = (name: string, conclusion: string) =>
    eventually(
      async () =>
        repo.checkRun(name)?.conclusion === conclusion ? repo.checkRun(name) : undefined,
      {
        timeoutMs: 60_000,
      },
    );

  it("plans an opened pull request: a check run with Apply and Discard, and one comment", async () => {
    await openPullRequest();
    const check = await waitForCheck("bosun/dev", "action_required");
    expect(check.head_sha).toBe(HEAD);
    expect(check.output?.title).toMatch(/1 to add/);
    expect(check.output?.summary).toMatch(/sha256:[0-9a-f]{64}/);
    expect(check.actions?.map((action) => action.identifier)).toEqual(["apply", "discard"]);
    // A signed link to the run page (src/lib/signed-link.ts).
    expect(check.details_url).toMatch(
      new RegExp(`^${bosun.url}/runs/[0-9a-f-]{36}\\?token=[\\w-]+\\.\\d+\\.[\\w-]{43}$`),
    );
    // The comment is edited by the same report, right after the check run.
    const comments = await eventually(async () => {
      const bodies = repo.commentsOn(PULL_NUMBER);
      return bodies[0]?.includes("null_resource.vpc") ? bodies : undefined;
    });
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain("<!-- bosun:pr-comment -->");
    expect(comments[0]).toContain("network@dev");
    expect(comments[0]).toContain("null_resource.vpc");
    // The same cost whatever the number of components: one of each per surface.
    expect(repo.count("GET", /\/tarball\//)).toBe(2);
    expect(repo.count("POST", /\/check-runs$/)).toBe(1);
    expect(repo.count("POST", /\/comments$/)).toBe(1);
  });

  it("applies on a writer's /apply: deployment, a fresh check run, success", async () => {
    await openPullRequest();
    await waitForCheck("bosun/dev", "action_required");
    const tarballsPlanned = repo.count("GET", /\/tarball\//);
    const payload = commentOnPullRequest(repository, "/apply");
    const commentId = payload.comment.id;
    await deliver(bosun.url, "issue_comment", payload);
    const deployment = await eventually(
      async () =>
        repo.deployments[0]?.statuses.some((s) => s.state === "success")
          ? repo.deployments[0]
          : undefined,
      { timeoutMs: 60_000 },
    );
    expect(deployment.body).toMatchObject({
      ref: HEAD,
      environment: "dev",
      auto_merge: false,
      required_contexts: [],
      payload: { runId: expect.any(String), components: ["network"] },
    });
    expect(deployment.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
    expect(deployment.statuses[0]?.log_url).toMatch(/\/runs\/[0-9a-f-]{36}\?token=[\w.-]+$/);
    const applied = await waitForCheck("bosun/dev", "success");
    expect(repo.checkRuns.filter((run) => run.name === "bosun/dev")).toHaveLength(2);
    expect(applied.actions ?? []).toEqual([]);
    expect(repo.reactions).toEqual(
      expect.arrayContaining([
        { commentId, content: "eyes" },
        { commentId, content: "rocket" },
      ]),
    );
    expect(repo.commentsOn(PULL_NUMBER)).toHaveLength(1);
    // The apply runs the source its plan ran, downloaded once per commit (and kept on disk).
    expect(tarballsPlanned).toBe(2);
    expect(repo.count("GET", /\/tarball\//)).toBe(tarballsPlanned);
  });

  it("refuses /apply from a user without write permission, and changes nothing", async () => {
    await openPullRequest();
    await waitForCheck("bosun/dev", "action_required");
    repo.permissions.set("mallory", "read");
    const payload = commentOnPullRequest(repository, "/apply", "mallory");
    const commentId = payload.comment.id;
    await deliver(bosun.url, "issue_comment", payload);
    const reply = await eventually(async () =>
      repo.commentsOn(PULL_NUMBER).find((body) => body.startsWith("@mallory")),
    );
    expect(reply).toMatch(/write/);
    await eventually(async () =>
      repo.reactions.some((r) => r.commentId === commentId && r.content === "confused")
        ? true
        : undefined,
    );
    expect(repo.deployments).toHaveLength(0);
  });

  it("answers an unknown command with what was wrong and the help", async () => {
    const payload = commentOnPullRequest(repository, "/aply");
    await deliver(bosun.url, "issue_comment", payload);
    const reply = await eventually(async () =>
      repo.commentsOn(PULL_NUMBER).find((body) => body.includes("/aply")),
    );
    expect(reply).toContain("/apply");
    expect(reply).toContain("/help");
  });

  it("ignores commands that are quoted or fenced", async () => {
    const payload = commentOnPullRequest(repository, "> /apply\n```\n/apply\n```\nthanks");
    const { status, deliveryId } = await deliver(bosun.url, "issue_comment", payload);
    expect(status).toBe(200);
    await eventually(async () => {
      const rows = await bosun.database.db.execute<{ status: string }>(
        `select status from webhook_deliveries where delivery_id = '${deliveryId}'` as never,
      );
      const list = Array.isArray(rows)
        ? rows
        : (rows as unknown as { rows: { status: string }[] }).rows;
      return list[0]?.status === "ignored" ? true : undefined;
    });
    expect(repo.requests).toEqual([]);
  });

  it("gives a pull request that touches no stack one neutral check and no comment", async () => {
    repo.compare.files = [{ filename: "README.md", status: "modified" }];
    await openPullRequest();
    const check = await waitForCheck("bosun", "neutral");
    expect(check.output?.title).toBe("No stacks affected");
    expect(repo.commentsOn(PULL_NUMBER)).toEqual([]);
  });

  it("fails a bad bosun.yml with every problem and its line, and plans nothing", async () => {
    const badConfig = {
      "bosun.yml":
        "version: 1\nstacks:\n  - name: Network\n    dir: /abs\n    environments: [dev]\n",
    };
    repo.files.set(HEAD, badConfig);
    repo.tarballs.set(HEAD, await repoTarball(badConfig));
    await openPullRequest();
    const check = await waitForCheck("bosun/config", "failure");
    expect(check.output?.summary).toMatch(/line 3/);
    expect(check.output?.summary).toMatch(/line 4/);
    const comment = await eventually(async () => repo.commentsOn(PULL_NUMBER)[0]);
    expect(comment).toMatch(/line 3/);
    expect(repo.commentsOn(PULL_NUMBER)).toHaveLength(1);
    // The head's archive, where its bosun.yml is read, is all that was downloaded.
    expect(repo.count("GET", /\/tarball\//)).toBe(1);
    expect(repo.count("GET", new RegExp(`/tarball/${HEAD}$`))).toBe(1);
  });

  it("does not plan a fork unless allowed, and says why once", async () => {
    const forked = inRepository(openedExample, repository);
    (forked.pull_request as { head: { repo: { full_name: string } } }).head.repo.full_name =
      "mallory/Hello-World";
    await deliver(bosun.url, "pull_request", forked);
    await deliver(bosun.url, "pull_request", forked);
    const notice = await eventually(async () => repo.commentsOn(PULL_NUMBER)[0]);
    expect(notice).toMatch(/fork/i);
    // Both deliveries handled, not a guess at how long the second takes: still one notice.
    await settled(bosun);
    expect(repo.commentsOn(PULL_NUMBER)).toHaveLength(1);
    expect(repo.checkRuns).toEqual([]);
  });

  it("waits for a writer's /plan when the author cannot write", async () => {
    repo.permissions.set("Codertocat", "read");
    repo.permissions.set("octocat", "write");
    await openPullRequest();
    const notice = await eventually(async () => repo.commentsOn(PULL_NUMBER)[0]);
    expect(notice).toMatch(/write permission/);
    expect(repo.checkRuns).toEqual([]);
    const payload = commentOnPullRequest(repository, "/plan", "octocat");
    await deliver(bosun.url, "issue_comment", payload);
    await waitForCheck("bosun/dev", "action_required");
    // The head commit was downloaded once, and its bosun.yml read from that archive: the /plan
    // reads both from disk, while the tracked branch, which moves, is read again, and once more
    // for the run's notification targets (src/services/record-run-notifications.ts).
    const configReads = repo.requests
      .filter((r) => r.method === "GET" && r.path.endsWith("/contents/bosun.yml"))
      .map((r) => new URLSearchParams(r.query).get("ref"));
    expect(configReads.filter((ref) => ref === HEAD)).toHaveLength(0);
    expect(repo.count("GET", new RegExp(`/tarball/${HEAD}$`))).toBe(1);
    expect(configReads.filter((ref) => ref === "master")).toHaveLength(3);
  });

  it("names each unmet requirement", async () => {
    repo.files.set("master", {
      "bosun.yml": `${networkOnlyYml}apply:\n  requirements: [approved, undiverged]\n`,
    });
    repo.compare.behind_by = 2;
    await openPullRequest();
    await waitForCheck("bosun/dev", "action_required");
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply"));
    const reply = await eventually(async () =>
      repo.commentsOn(PULL_NUMBER).find((body) => body.startsWith("@Codertocat")),
    );
    expect(reply).toMatch(/approved/);
    expect(reply).toMatch(/undiverged/);
    expect(repo.deployments).toHaveLength(0);
  });

  it("refuses to apply when the pull request's head moved after the plan", async () => {
    await openPullRequest();
    await waitForCheck("bosun/dev", "action_required");
    repo.pull.head.sha = NEXT_HEAD;
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply"));
    const reply = await eventually(async () =>
      repo.commentsOn(PULL_NUMBER).find((body) => body.startsWith("@Codertocat")),
    );
    expect(reply).toContain(NEXT_HEAD.slice(0, 7));
    expect(repo.deployments).toHaveLength(0);
  });

  it("confirms on an approving review from a writer when approve_on_review is set", async () => {
    repo.files.set("master", {
      "bosun.yml": `${networkOnlyYml}apply:\n  approve_on_review: true\n`,
    });
    await openPullRequest();
    await waitForCheck("bosun/dev", "action_required");
    repo.permissions.set("reviewer", "write");
    const review = inRepository(
      example("pull_request_review", (p) => p.action === "submitted" && !!p.installation),
      repository,
    );
    (review.review as { state: string; user: { login: string } }).state = "approved";
    (review.review as { user: { login: string } }).user.login = "reviewer";
    await deliver(bosun.url, "pull_request_review", review);
    await waitForCheck("bosun/dev", "success");
    expect(repo.deployments).toHaveLength(1);
  });

  it("applies and discards from the check run's buttons, refusing readers", async () => {
    await openPullRequest();
    const check = await waitForCheck("bosun/dev", "action_required");
    const button = (identifier: string, login: string) => {
      const payload = example(
        "check_run",
        (p) => p.action === "requested_action" && !!p.installation,
      );
      payload.repository = structuredClone(openedExample.repository);
      const adapted = inRepository(payload, repository);
      (adapted.check_run as { id: number }).id = check.id;
      (adapted.requested_action as { identifier: string }).identifier = identifier;
      (adapted.sender as { login: string }).login = login;
      return adapted;
    };
    repo.permissions.set("reader", "read");
    await deliver(bosun.url, "check_run", button("apply", "reader"));
    const refusal = await eventually(async () =>
      repo.commentsOn(PULL_NUMBER).find((body) => body.startsWith("@reader")),
    );
    expect(refusal).toMatch(/write/);
    await deliver(bosun.url, "check_run", button("discard", "Codertocat"));
    await waitForCheck("bosun/dev", "neutral");
    expect(repo.deployments).toHaveLength(0);
  });

  it("discards unconfirmed runs when the pull request closes", async () => {
    await openPullRequest();
    await waitForCheck("bosun/dev", "action_required");
    const closed = example("pull_request", (p) => p.action === "closed" && !!p.installation);
    await deliver(bosun.url, "pull_request", inRepository(closed, repository));
    await waitForCheck("bosun/dev", "neutral");
  });
  it("answers /help with the commands", async () => {
    const payload = commentOnPullRequest(repository, "/help");
    const commentId = payload.comment.id;
    await deliver(bosun.url, "issue_comment", payload);
    const reply = await eventually(async () => repo.commentsOn(PULL_NUMBER)[0]);
    for (const command of [
      "/plan",
      "/apply",
      "/discard",
      "/replan",
      "/destroy",
      "/promote",
      "/revert",
    ]) {
      expect(reply).toContain(command);
    }
    expect(repo.reactions).toContainEqual({ commentId, content: "eyes" });
  });

  it("discards on /discard, and refuses /discard in an unknown environment", async () => {
    await openPullRequest();
    await waitForCheck("bosun/dev", "action_required");
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/discard -e prod"));
    const refusal = await eventually(async () =>
      repo.commentsOn(PULL_NUMBER).find((body) => body.startsWith("@Codertocat")),
    );
    expect(refusal).toMatch(/prod/);
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/discard -e dev"));
    await waitForCheck("bosun/dev", "neutral");
  });

  it("replans with -target for an address in the plan, and refuses one that is not", async () => {
    await openPullRequest();
    await waitForCheck("bosun/dev", "action_required");
    await deliver(
      bosun.url,
      "issue_comment",
      commentOnPullRequest(repository, "/replan -target=null_resource.nope"),
    );
    const refusal = await eventually(async () =>
      repo.commentsOn(PULL_NUMBER).find((body) => body.startsWith("@Codertocat")),
    );
    expect(refusal).toContain("null_resource.nope");
    const before = repo.checkRuns.length;
    await deliver(
      bosun.url,
      "issue_comment",
      commentOnPullRequest(repository, "/replan -target=null_resource.vpc"),
    );
    await eventually(async () => (repo.checkRuns.length > before ? true : undefined));
    const check = await waitForCheck("bosun/dev", "action_required");
    expect(check.output?.text ?? "").toContain("null_resource.vpc");
  });

  it("refuses a plan that went stale because another run applied the component", async () => {
    await openPullRequest();
    await waitForCheck("bosun/dev", "action_required");
    const other = structuredClone(openedExample);
    (other.pull_request as { number: number }).number = 3;
    await openPullRequest(other);
    await eventually(async () =>
      repo.checkRuns.filter((run) => run.name === "bosun/dev").length === 2 ? true : undefined,
    );
    await settled(bosun);
    await deliver(
      bosun.url,
      "issue_comment",
      commentOnPullRequest(repository, "/apply", "Codertocat", 3),
    );
    await eventually(
      async () =>
        repo.deployments[0]?.statuses.some((s) => s.state === "success") ? true : undefined,
      { timeoutMs: 60_000 },
    );
    await settled(bosun);
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply"));
    const refusal = await eventually(async () =>
      repo.commentsOn(PULL_NUMBER).find((body) => body.startsWith("@Codertocat")),
    );
    expect(refusal).toMatch(/network@dev/);
    expect(refusal).toMatch(/\/plan/);
    expect(repo.deployments).toHaveLength(1);
  });

  it("lists what runs code during plan on the check run", async () => {
    const risky = {
      ...networkStackFiles,
      "infra/network/external.tf":
        'data "external" "probe" {\n  program = ["sh", "-c", "curl example.com"]\n}\n',
    };
    repo.tarballs.set(HEAD, await repoTarball({ "bosun.yml": networkOnlyYml, ...risky }));
    await openPullRequest();
    const check = await eventually(async () => repo.checkRun("bosun/dev"), { timeoutMs: 60_000 });
    await settled(bosun);
    expect(repo.checkRun("bosun/dev")?.output?.summary ?? check.output?.summary).toMatch(
      /external/,
    );
  });
  it("plans a destroy on /destroy from a writer, applied like any plan", async () => {
    await openPullRequest();
    await waitForCheck("bosun/dev", "action_required");
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply"));
    await waitForCheck("bosun/dev", "success");
    repo.permissions.set("reader", "read");
    await deliver(
      bosun.url,
      "issue_comment",
      commentOnPullRequest(repository, "/destroy network -e dev", "reader"),
    );
    const refusal = await eventually(async () =>
      repo.commentsOn(PULL_NUMBER).find((body) => body.startsWith("@reader")),
    );
    expect(refusal).toMatch(/write/);
    const before = repo.checkRuns.length;
    await deliver(
      bosun.url,
      "issue_comment",
      commentOnPullRequest(repository, "/destroy network -e dev"),
    );
    await eventually(async () => (repo.checkRuns.length > before ? true : undefined));
    const destroy = await waitForCheck("bosun/dev", "action_required");
    expect(destroy.output?.title).toMatch(/1 to destroy/);
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply"));
    await waitForCheck("bosun/dev", "success");
    expect(repo.deployments).toHaveLength(2);
  });
  it("walks the dependency graph after the single approval: app plans with network's outputs", async () => {
    const twoStacks = `version: 1
environments:
  dev:
    variables:
      region: eu-west-1
stacks:
  - name: network
    dir: infra/network
    environments: [dev]
    var_files: ["env/\${environment}.tfvars"]
  - name: app
    dir: infra/app
    environments: [dev]
    depends_on:
      - stack: network
        inputs: { vpc_id: vpc_id }
`;
    const files = {
      ...networkStackFiles,
      "infra/app/main.tf":
        'variable "vpc_id" {}\nresource "null_resource" "app" {\n  triggers = {\n    vpc = var.vpc_id\n  }\n}\n',
    };
    repo.files.set("master", { "bosun.yml": twoStacks });
    repo.files.set(HEAD, { "bosun.yml": twoStacks });
    repo.files.set(MERGE_BASE, { "bosun.yml": twoStacks });
    repo.tarballs.set(HEAD, await repoTarball({ "bosun.yml": twoStacks, ...files }));
    repo.tarballs.set(MERGE_BASE, await repoTarball({ "bosun.yml": twoStacks, ...files }));
    repo.compare.files = [
      { filename: "infra/network/main.tf", status: "modified" },
      { filename: "infra/app/main.tf", status: "added" },
    ];
    await openPullRequest();
    const planned = await waitForCheck("bosun/dev", "action_required");
    expect(planned.output?.summary).toMatch(/app@dev/);
    expect(planned.output?.summary).toMatch(/network@dev/);
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply"));
    const done = await waitForCheck("bosun/dev", "success");
    expect(done.output?.text).toMatch(/null_resource\.app/);
    const deployment = await eventually(async () =>
      repo.deployments[0]?.statuses.some((status) => status.state === "success")
        ? repo.deployments[0]
        : undefined,
    );
    expect(repo.deployments).toHaveLength(1);
    expect(deployment.statuses.map((status) => status.state)).toEqual(["in_progress", "success"]);
    const revisions = await bosun.database.db.execute(
      sql`select count(*)::int as n from revisions v join runs r on r.id = v.run_id where r.repository_id = ${repository.id}`,
    );
    const rows = (
      Array.isArray(revisions) ? revisions : (revisions as unknown as { rows: unknown[] }).rows
    ) as { n: number }[];
    expect(Number(rows[0]?.n)).toBe(2);
  });
});
