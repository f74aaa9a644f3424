import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  startGithubFake,
  type GithubFake,
  type FakeRepository,
} from "../../helpers/github-fake/index.js";
import {
  commentOnPullRequest,
  HEAD,
  inRepository,
  networkOnlyYml,
  openedExample,
  PULL_NUMBER,
  stagePullRequest,
  type ScenarioRepository,
} from "../../helpers/pull-request-scenario.js";
import { settled, startFlowBosun, type TestBosun } from "../../helpers/test-bosun.js";

/**
 * The tracked branch's requirements (docs/design.md "Trust"): `mergeable` is GitHub's verdict with
 * Bosun's own checks left out, and a revert or a promotion is held to the same rules as any apply.
 * Driven through the real server against a fake GitHub repository.
 */
describe.each(databaseKinds)("requirements on %s", (kind) => {
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;
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
    repository = {
      id: 740_000 + testNumber,
      fullName: `Codertocat/require-${kind}-${testNumber}`,
    };
    github = await startGithubFake();
    repo = github.repository(repository.fullName);
    await stagePullRequest(repo);
    repo.permissions.set("bob", "write");
    repo.permissions.set("carol", "maintain");
    repo.permissions.set("mallory", "read");
  });
  afterEach(async () => {
    await settled(bosun);
    await github.close();
    github.verify();
  });

  const trackedRules = (apply: string) =>
    repo.files.set("master", { "bosun.yml": `${networkOnlyYml}apply:\n${apply}` });
  const openPullRequest = async () => {
    const { status } = await deliver(
      bosun.url,
      "pull_request",
      inRepository(openedExample, repository),
    );
    expect(status).toBe(200);
  };
  const waitForCheck = (conclusion: string, after = 0) =>
    eventually(
      async () => {
        const check = repo.checkRun("bosun/dev");
        return check?.conclusion === conclusion && repo.checkRuns.indexOf(check) >= after
          ? check
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
  const replyTo = (user: string, count = 1) =>
    eventually(async () => {
      const replies = repo.commentsOn(PULL_NUMBER).filter((body) => body.startsWith(`@${user}`));
      return replies.length >= count ? replies.at(-1) : undefined;
    });
  const comment = (body: string, user = "Codertocat") =>
    deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, body, user));
  let clock = 0;
  /** A review as GitHub lists it. */
  const review = (user: string, state: "APPROVED" | "CHANGES_REQUESTED", commitId: string) => {
    clock += 1;
    const submittedAt = new Date(Date.UTC(2026, 10, 1, 0, clock)).toISOString();
    repo.reviews.push({
      user: { login: user },
      state,
      commit_id: commitId,
      submitted_at: submittedAt,
    });
  };

  it("mergeable: blocked by another required check refuses; blocked only by bosun/* applies", async () => {
    trackedRules("  requirements: [mergeable]\n");
    await openPullRequest();
    await waitForCheck("action_required");
    repo.pull.mergeable_state = "blocked";
    repo.rules = [
      {
        type: "required_status_checks",
        parameters: {
          strict_required_status_checks_policy: false,
          required_status_checks: [{ context: "bosun/dev" }, { context: "ci/test" }],
        },
      },
    ];
    repo.otherCheckRuns.push({
      head_sha: HEAD,
      name: "ci/test",
      status: "completed",
      conclusion: "failure",
    });

    await comment("/apply");
    expect(await replyTo("Codertocat")).toMatch(
      /\*\*mergeable\*\*: GitHub reports the pull request `blocked`.*required check `ci\/test` has not passed/,
    );
    expect(repo.deployments).toHaveLength(0);
    expect(repo.count("GET", /\/rules\/branches\/master$/)).toBe(1);
    expect(repo.count("GET", /\/commits\/[0-9a-f]+\/check-runs$/)).toBe(1);

    // CI passes: only Bosun's own required check (still waiting for this apply) blocks, here
    // required by classic branch protection.
    repo.otherCheckRuns.push({
      head_sha: HEAD,
      name: "ci/test",
      status: "completed",
      conclusion: "success",
    });
    repo.rules = [];
    repo.protection = {
      required_status_checks: { strict: false, contexts: ["bosun/dev", "ci/test"], checks: [] },
    };
    const before = repo.checkRuns.length;
    await comment("/apply");
    await waitForCheck("success", before);
    expect(repo.deployments).toHaveLength(1);
  });

  it("a revert's apply is refused while the requirements are unmet", async () => {
    trackedRules("  requirements: [approved]\n");
    await openPullRequest();
    await waitForCheck("action_required");
    review("bob", "APPROVED", HEAD);
    let before = repo.checkRuns.length;
    await comment("/apply");
    await waitForCheck("success", before);
    await settled(bosun);

    before = repo.checkRuns.length;
    await comment("/revert");
    await waitForCheck("action_required", before);
    await settled(bosun);
    review("carol", "CHANGES_REQUESTED", HEAD);
    await comment("/apply");
    const refusal = await replyTo("Codertocat");
    expect(refusal).toMatch(/Cannot apply yet/);
    expect(refusal).toMatch(/`carol` requested changes: blocks/);
    expect(repo.deployments).toHaveLength(1);

    review("carol", "APPROVED", HEAD);
    before = repo.checkRuns.length;
    await comment("/apply");
    await waitForCheck("success", before);
    expect(repo.deployments).toHaveLength(2);
  });

  it("the promotion of a pull request closed without merging is refused", async () => {
    await openPullRequest();
    await waitForCheck("action_required");
    await settled(bosun);
    repo.pull.state = "closed";
    repo.pull.merged = false;
    const before = repo.checkRuns.length;
    await comment("/promote dev");
    expect(await replyTo("Codertocat")).toMatch(
      /Cannot promote to dev.*this pull request was closed without being merged/,
    );
    await settled(bosun);
    expect(repo.checkRuns).toHaveLength(before);
  });
});
