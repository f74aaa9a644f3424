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
  networkOnlyYml,
  NEXT_HEAD,
  openedExample,
  PULL_NUMBER,
  stagePullRequest,
  type ScenarioRepository,
} from "../../helpers/pull-request-scenario.js";
import { settled, startFlowBosun, type TestBosun } from "../../helpers/test-bosun.js";
import { example } from "../../helpers/webhook-examples.js";

/**
 * What an approval is (docs/design.md "Trust", invariant 7): the latest review of each reviewer,
 * by a writer other than the author, of the very commit that was planned; a writer's latest
 * "changes requested" blocks. Driven through the real server against a fake GitHub repository.
 */
describe.each(databaseKinds)("approvals on %s", (kind) => {
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
    repository = { id: 730_000 + testNumber, fullName: `Codertocat/approve-${kind}-${testNumber}` };
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
  /** A review as GitHub lists it and as its `pull_request_review.submitted` webhook tells it. */
  const review = async (
    user: string,
    state: "APPROVED" | "CHANGES_REQUESTED",
    commitId: string,
    options: { deliver?: boolean } = {},
  ) => {
    clock += 1;
    const submittedAt = new Date(Date.UTC(2026, 10, 1, 0, clock)).toISOString();
    repo.reviews.push({
      user: { login: user },
      state,
      commit_id: commitId,
      submitted_at: submittedAt,
    });
    if (!options.deliver) return;
    const payload = inRepository(
      example("pull_request_review", (p) => p.action === "submitted" && !!p.installation),
      repository,
    );
    const sent = payload.review as {
      state: string;
      user: { login: string };
      commit_id: string;
      submitted_at: string;
    };
    sent.state = state.toLowerCase();
    sent.user.login = user;
    sent.commit_id = commitId;
    sent.submitted_at = submittedAt;
    await deliver(bosun.url, "pull_request_review", payload);
  };
  /** The pull request moves to NEXT_HEAD and a writer re-plans it there. */
  const pushAndReplan = async () => {
    repo.pull.head.sha = NEXT_HEAD;
    repo.files.set(NEXT_HEAD, { "bosun.yml": networkOnlyYml, ...networkStackFiles });
    repo.tarballs.set(
      NEXT_HEAD,
      await repoTarball({ "bosun.yml": networkOnlyYml, ...networkStackFiles }),
    );
    const before = repo.checkRuns.length;
    await comment("/plan");
    await waitForCheck("action_required", before);
  };

  it("a writer's /plan racing a push plans nothing until the writer has seen the new head", async () => {
    repo.permissions.set("Codertocat", "read");
    await openPullRequest();
    await eventually(async () => repo.commentsOn(PULL_NUMBER)[0]);
    repo.files.set(NEXT_HEAD, { "bosun.yml": networkOnlyYml, ...networkStackFiles });
    repo.tarballs.set(
      NEXT_HEAD,
      await repoTarball({ "bosun.yml": networkOnlyYml, ...networkStackFiles }),
    );
    // The author pushes; GitHub has the new head before Bosun hears of it.
    repo.pull.head.sha = NEXT_HEAD;
    await comment("/plan", "bob");
    expect(await replyTo("bob")).toMatch(/head moved to `2222222` after this comment was written/);

    // Bosun hears of the push after the comment was written: still not on bob's authority.
    const written = commentOnPullRequest(repository, "/plan", "bob");
    written.comment.created_at = new Date(Date.now() - 60_000).toISOString();
    const synchronize = inRepository(
      example("pull_request", (p) => p.action === "synchronize" && !!p.installation),
      repository,
    );
    const pull = synchronize.pull_request as {
      number: number;
      head: { sha: string };
      user: { login: string };
    };
    pull.number = PULL_NUMBER;
    pull.head.sha = NEXT_HEAD;
    pull.user.login = "Codertocat";
    await deliver(bosun.url, "pull_request", synchronize);
    await settled(bosun);
    await deliver(bosun.url, "issue_comment", written);
    expect(await replyTo("bob", 2)).toMatch(/head moved to `2222222`/);
    expect(repo.checkRuns).toEqual([]);

    // A /plan written after the push plans the head the writer saw.
    await comment("/plan", "bob");
    const planned = await waitForCheck("action_required");
    expect(planned.head_sha).toBe(NEXT_HEAD);
  });

  it("a reader's approving review applies nothing, and the reply says why", async () => {
    trackedRules("  approve_on_review: true\n");
    await openPullRequest();
    await waitForCheck("action_required");
    await review("mallory", "APPROVED", HEAD, { deliver: true });
    const reply = await replyTo("mallory");
    expect(reply).toMatch(/`mallory` approved `ec26c3e`: does not count, without write permission/);
    expect(repo.deployments).toHaveLength(0);
    // A writer's approval of the same commit then confirms.
    await review("bob", "APPROVED", HEAD, { deliver: true });
    await waitForCheck("success");
    expect(repo.deployments).toHaveLength(1);
  });

  it("an approval of an older commit does not carry over to a plan of a new push", async () => {
    trackedRules("  requirements: [approved]\n  approve_on_review: true\n");
    await openPullRequest();
    await waitForCheck("action_required");
    await review("bob", "APPROVED", HEAD);
    await pushAndReplan();

    await comment("/apply");
    const refusal = await replyTo("Codertocat");
    expect(refusal).toMatch(/planned commit `2222222`/);
    expect(refusal).toMatch(/`bob` approved `ec26c3e`: does not count for this plan/);
    // The same older approval delivered late confirms nothing either.
    await review("carol", "APPROVED", HEAD, { deliver: true });
    expect(await replyTo("carol")).toMatch(/`carol` approved `ec26c3e`: does not count/);
    expect(repo.deployments).toHaveLength(0);

    await review("bob", "APPROVED", NEXT_HEAD);
    const before = repo.checkRuns.length;
    await comment("/apply");
    const applied = await waitForCheck("success", before);
    expect(applied.head_sha).toBe(NEXT_HEAD);
    expect(repo.deployments.map((deployment) => deployment.body.ref)).toEqual([NEXT_HEAD]);
  });

  it("a writer's latest request for changes blocks; a reader's does not; approvals: 2 counts writers", async () => {
    trackedRules("  requirements: [approved]\n  approvals: 2\n");
    await openPullRequest();
    await waitForCheck("action_required");
    await review("bob", "APPROVED", HEAD);
    await review("Codertocat", "APPROVED", HEAD);
    await review("carol", "CHANGES_REQUESTED", HEAD);
    await review("mallory", "CHANGES_REQUESTED", HEAD);

    await comment("/apply");
    const first = await replyTo("Codertocat");
    expect(first).toMatch(/2 approving reviews of the planned commit `ec26c3e`/);
    expect(first).toMatch(/`bob` approved `ec26c3e`: counts/);
    expect(first).toMatch(
      /`Codertocat` approved `ec26c3e`: does not count, being the pull request's author/,
    );
    expect(first).toMatch(/`carol` requested changes: blocks/);
    expect(first).not.toMatch(/`mallory` requested changes/);
    // The check run says so too, and still offers Apply.
    const waiting = repo.checkRun("bosun/dev");
    expect(waiting?.output?.summary).toMatch(
      /### Waiting for[\s\S]*`bob` approved `ec26c3e`: counts[\s\S]*`carol` requested changes: blocks/,
    );
    expect(waiting?.actions?.map((action) => action.identifier)).toEqual(["apply", "discard"]);

    // carol's approval replaces her request for changes and is the second writer's approval.
    await review("carol", "APPROVED", HEAD);
    const before = repo.checkRuns.length;
    await comment("/apply");
    await waitForCheck("success", before);
    expect(repo.deployments).toHaveLength(1);
  });

  it("a broken bosun.yml on the tracked branch refuses /apply, the Apply button, an approval, /revert and /promote", async () => {
    trackedRules("  approve_on_review: true\n");
    await openPullRequest();
    const check = await waitForCheck("action_required");
    repo.files.set("master", { "bosun.yml": "version: 1\nstacks: [\n" });

    await comment("/apply");
    expect(await replyTo("Codertocat")).toMatch(
      /`bosun.yml` on the tracked branch `master` is not valid/,
    );

    const buttonExample = example(
      "check_run",
      (p) => p.action === "requested_action" && !!p.installation,
    );
    buttonExample.repository = structuredClone(openedExample.repository);
    const button = inRepository(buttonExample, repository);
    (button.check_run as { id: number }).id = check.id;
    (button.requested_action as { identifier: string }).identifier = "apply";
    (button.sender as { login: string }).login = "Codertocat";
    await deliver(bosun.url, "check_run", button);
    expect(await replyTo("Codertocat", 2)).toMatch(/is not valid/);
    await comment("/revert");
    expect(await replyTo("Codertocat", 3)).toMatch(/is not valid/);
    await comment("/promote dev");
    expect(await replyTo("Codertocat", 4)).toMatch(/on the tracked branch master is invalid/);

    await review("bob", "APPROVED", HEAD, { deliver: true });
    await settled(bosun);
    expect(repo.deployments).toHaveLength(0);
    expect(repo.checkRun("bosun/dev")?.conclusion).toBe("action_required");
  });
});
