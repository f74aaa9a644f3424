import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGithubGateway } from "../../../src/github/create-github-gateway.js";
import { createProbot } from "../../../src/github/create-probot.js";
import { GithubApiError } from "../../../src/github/github-api-error.js";
import type {
  CheckRunAnnotation,
  CheckRunContent,
  GithubRepoApi,
} from "../../../src/services/github-port.js";
import { testApp } from "../../helpers/app-credentials.js";
import {
  startGithubFake,
  type GithubFake,
  expectCompareCommits,
  expectCreateCheckRun,
  expectCreateComment,
  expectCreateDeployment,
  expectCreateDeploymentStatus,
  expectCreateIssue,
  expectCreateReaction,
  expectDownloadTarball,
  expectGetCollaboratorPermission,
  expectGetContent,
  expectGetPullRequest,
  expectInstallationToken,
  expectListReviews,
  expectUpdateCheckRun,
  expectUpdateComment,
  expectUpdateIssue,
} from "../../helpers/github-fake/index.js";
import { TestOctokit } from "../../helpers/test-bosun.js";

const REPO = "acme/infra";
const INSTALLATION = 7;

function probotAt(baseUrl?: string) {
  return createProbot(
    {
      appId: Number(testApp.appId),
      privateKey: testApp.privateKey,
      webhookSecret: testApp.webhookSecret,
      baseUrl,
    },
    pino({ level: "silent" }),
    TestOctokit,
  );
}

function annotation(line: number): CheckRunAnnotation {
  return {
    path: "stacks/network/main.tf",
    start_line: line,
    end_line: line,
    annotation_level: "warning",
    title: `warning ${line}`,
    message: "deprecated argument",
  };
}

const content: CheckRunContent = {
  status: "in_progress",
  title: "network@prod: planning",
  summary: "Planning 1 component",
  text: "",
  actions: [],
  detailsUrl: "https://bosun.example/runs/1",
  annotations: [],
};

describe("createGithubRepoApi through createGithubGateway", () => {
  let github: GithubFake;
  let time: number;
  let api: GithubRepoApi;
  let gateway: ReturnType<typeof createGithubGateway>;

  beforeEach(async () => {
    github = await startGithubFake();
    expectInstallationToken(github, INSTALLATION);
    time = 1_000_000;
    gateway = createGithubGateway(probotAt(), { permissionTtlMs: 60_000, now: () => time });
    api = await gateway(INSTALLATION, REPO);
  });
  afterEach(async () => {
    await github.close();
    github.verify();
  });

  describe("readFile", () => {
    it("returns the raw file at the ref", async () => {
      expectGetContent(
        github,
        REPO,
        { path: "stacks/network/bosun.yml", ref: "abc123" },
        { status: 200, body: "stacks: []\n# ünïcode\n" },
      );
      await expect(api.readFile("stacks/network/bosun.yml", "abc123")).resolves.toBe(
        "stacks: []\n# ünïcode\n",
      );
    });

    it("returns undefined when GitHub answers 404", async () => {
      expectGetContent(github, REPO, { path: "bosun.yml", ref: "abc123" }, { status: 404 });
      await expect(api.readFile("bosun.yml", "abc123")).resolves.toBeUndefined();
    });

    it("fails with what it was doing and GitHub's status on any other error", async () => {
      github.expect(
        { method: "GET", path: "/repos/acme/infra/contents/bosun.yml", query: { ref: "abc123" } },
        { status: 500, body: { message: "Server Error" } },
      );
      const error = await api.readFile("bosun.yml", "abc123").catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GithubApiError);
      expect(error).toMatchObject({
        status: 500,
        message: expect.stringMatching(/^reading bosun\.yml at abc123 in acme\/infra: /),
      });
      expect((error as Error).cause).toBeInstanceOf(Error);
    });

    // Expectations answer once: asking a second time would be unexpected, and fail the test.
    const SHA = "0123456789abcdef0123456789abcdef01234567";

    it("reads a file at a commit SHA once, for every job of the process", async () => {
      expectGetContent(github, REPO, { path: "bosun.yml", ref: SHA }, { status: 200, body: "v1" });
      await expect(api.readFile("bosun.yml", SHA)).resolves.toBe("v1");
      await expect(api.readFile("bosun.yml", SHA)).resolves.toBe("v1");
      // Another job's API for the same repository (its owner spelt otherwise) shares the cache.
      const nextJob = await gateway(INSTALLATION, "Acme/Infra");
      await expect(nextJob.readFile("bosun.yml", SHA)).resolves.toBe("v1");
    });

    it("keeps a file that is not at the commit as not found", async () => {
      expectGetContent(github, REPO, { path: "bosun.yml", ref: SHA }, { status: 404 });
      await expect(api.readFile("bosun.yml", SHA)).resolves.toBeUndefined();
      await expect(api.readFile("bosun.yml", SHA)).resolves.toBeUndefined();
    });

    it("asks again for a commit GitHub does not know (yet)", async () => {
      github.expect(
        { method: "GET", path: "/repos/acme/infra/contents/bosun.yml", query: { ref: SHA } },
        { status: 404, body: { message: `No commit found for the ref ${SHA}` } },
      );
      expectGetContent(github, REPO, { path: "bosun.yml", ref: SHA }, { status: 200, body: "v1" });
      await expect(api.readFile("bosun.yml", SHA)).resolves.toBeUndefined();
      await expect(api.readFile("bosun.yml", SHA)).resolves.toBe("v1");
      await expect(api.readFile("bosun.yml", SHA)).resolves.toBe("v1");
    });

    it("asks again for a branch, a short SHA or another path every time", async () => {
      for (const body of ["v1", "v2"]) {
        expectGetContent(github, REPO, { path: "bosun.yml", ref: "main" }, { status: 200, body });
        expectGetContent(
          github,
          REPO,
          { path: "bosun.yml", ref: "0123456" },
          { status: 200, body },
        );
      }
      expectGetContent(github, REPO, { path: "bosun.yml", ref: SHA }, { status: 200, body: "v1" });
      expectGetContent(github, REPO, { path: "other.yml", ref: SHA }, { status: 200, body: "o" });
      await expect(api.readFile("bosun.yml", "main")).resolves.toBe("v1");
      await expect(api.readFile("bosun.yml", "main")).resolves.toBe("v2");
      await expect(api.readFile("bosun.yml", "0123456")).resolves.toBe("v1");
      await expect(api.readFile("bosun.yml", "0123456")).resolves.toBe("v2");
      await expect(api.readFile("bosun.yml", SHA)).resolves.toBe("v1");
      await expect(api.readFile("other.yml", SHA)).resolves.toBe("o");
    });

    it("does not serve one repository's file to another", async () => {
      expectGetContent(
        github,
        REPO,
        { path: "bosun.yml", ref: SHA },
        { status: 200, body: "mine" },
      );
      expectGetContent(github, "acme/other", { path: "bosun.yml", ref: SHA }, { status: 404 });
      await expect(api.readFile("bosun.yml", SHA)).resolves.toBe("mine");
      const other = await gateway(INSTALLATION, "acme/other");
      await expect(other.readFile("bosun.yml", SHA)).resolves.toBeUndefined();
    });

    it("does not keep a failed read", async () => {
      github.expect(
        { method: "GET", path: "/repos/acme/infra/contents/bosun.yml", query: { ref: SHA } },
        { status: 500, body: { message: "Server Error" } },
      );
      expectGetContent(github, REPO, { path: "bosun.yml", ref: SHA }, { status: 200, body: "v1" });
      await expect(api.readFile("bosun.yml", SHA)).rejects.toBeInstanceOf(GithubApiError);
      await expect(api.readFile("bosun.yml", SHA)).resolves.toBe("v1");
    });
  });

  describe("permissionOf", () => {
    it("reads `permission`, or `role_name` for maintain and triage, and none on 404", async () => {
      expectGetCollaboratorPermission(github, REPO, "alice", {
        status: 200,
        permission: "admin",
        role_name: "admin",
      });
      expectGetCollaboratorPermission(github, REPO, "bob", {
        status: 200,
        permission: "write",
        role_name: "maintain",
      });
      expectGetCollaboratorPermission(github, REPO, "carol", {
        status: 200,
        permission: "read",
        role_name: "triage",
      });
      expectGetCollaboratorPermission(github, REPO, "dave", {
        status: 200,
        permission: "write",
        role_name: "deployer",
      });
      expectGetCollaboratorPermission(github, REPO, "ghost-user", { status: 404 });
      expect(await api.permissionOf("alice")).toBe("admin");
      expect(await api.permissionOf("bob")).toBe("maintain");
      expect(await api.permissionOf("carol")).toBe("triage");
      // A custom role counts as its base role.
      expect(await api.permissionOf("dave")).toBe("write");
      expect(await api.permissionOf("ghost-user")).toBe("none");
    });

    it("asks GitHub once per TTL, across the gateway's repository clients", async () => {
      expectGetCollaboratorPermission(github, REPO, "alice", {
        status: 200,
        permission: "write",
        role_name: "write",
      });
      expect(await api.permissionOf("alice")).toBe("write");

      time += 59_999;
      // A second client of the same gateway (Probot reuses the installation token: no new one).
      const again = await gateway(INSTALLATION, REPO);
      expect(await again.permissionOf("Alice")).toBe("write");
      github.verify();

      time += 1;
      expectGetCollaboratorPermission(github, REPO, "alice", {
        status: 200,
        permission: "read",
        role_name: "read",
      });
      expect(await api.permissionOf("alice")).toBe("read");
    });
  });

  describe("compare", () => {
    it("maps files, renames included, and the merge base, in one request", async () => {
      expectCompareCommits(github, REPO, "base1...head2", {
        behind_by: 3,
        ahead_by: 2,
        merge_base_commit: { sha: "mergebase0" },
        files: [
          { filename: "stacks/network/main.tf", status: "modified", additions: 1 },
          {
            filename: "stacks/dns/main.tf",
            previous_filename: "stacks/old-dns/main.tf",
            status: "renamed",
          },
          { filename: "stacks/db/main.tf", status: "removed" },
        ],
      });
      await expect(api.compare("base1", "head2")).resolves.toEqual({
        files: [
          { filename: "stacks/network/main.tf", previous_filename: undefined, status: "modified" },
          {
            filename: "stacks/dns/main.tf",
            previous_filename: "stacks/old-dns/main.tf",
            status: "renamed",
          },
          { filename: "stacks/db/main.tf", previous_filename: undefined, status: "removed" },
        ],
        truncated: false,
        behindBy: 3,
        mergeBaseSha: "mergebase0",
      });
    });

    it("says truncated when GitHub lists its maximum of 300 files", async () => {
      const files = Array.from({ length: 300 }, (_, index) => ({
        filename: `stacks/s${index}/main.tf`,
        status: "added",
      }));
      expectCompareCommits(github, REPO, "base1...head2", {
        behind_by: 0,
        merge_base_commit: { sha: "base1" },
        files,
      });
      const comparison = await api.compare("base1", "head2");
      expect(comparison.files).toHaveLength(300);
      expect(comparison.truncated).toBe(true);
    });
  });

  it("pullRequest maps the pull request", async () => {
    expectGetPullRequest(github, REPO, 12, {
      number: 12,
      state: "open",
      merged: false,
      mergeable: null,
      mergeable_state: "unknown",
      user: { login: "alice" },
      head: { sha: "head2", ref: "feature", repo: { full_name: "alice/infra" } },
      base: { sha: "base1", ref: "main", repo: { full_name: "acme/infra" } },
    });
    await expect(api.pullRequest(12)).resolves.toEqual({
      number: 12,
      headSha: "head2",
      baseSha: "base1",
      baseRef: "main",
      state: "open",
      merged: false,
      mergeableState: "unknown",
      author: "alice",
      fork: true,
    });
  });

  it("branchRules reads branch protection (404 when unprotected, 403 unreadable) and the rulesets' rules", async () => {
    github.expect(
      { method: "GET", path: `/repos/${REPO}/branches/main/protection` },
      {
        status: 200,
        body: {
          required_status_checks: {
            strict: true,
            contexts: ["ci"],
            checks: [{ context: "bosun/prod", app_id: 1 }],
          },
          required_pull_request_reviews: {
            required_approving_review_count: 2,
            require_code_owner_reviews: false,
          },
          required_signatures: { enabled: true },
        },
      },
    );
    github.expect(
      { method: "GET", path: `/repos/${REPO}/rules/branches/main`, query: "any" },
      {
        status: 200,
        body: [
          { type: "deletion" },
          {
            type: "required_status_checks",
            parameters: {
              strict_required_status_checks_policy: false,
              required_status_checks: [{ context: "bosun/dev" }],
            },
          },
          {
            type: "pull_request",
            parameters: { required_approving_review_count: 1, require_code_owner_review: true },
          },
        ],
      },
    );
    await expect(api.branchRules("main")).resolves.toEqual([
      { type: "required_status_checks", contexts: ["ci", "bosun/prod"] },
      { type: "pull_request", requiredApprovals: 2, othersRequired: false },
      { type: "required_signatures" },
      { type: "deletion" },
      { type: "required_status_checks", contexts: ["bosun/dev"] },
      { type: "pull_request", requiredApprovals: 1, othersRequired: true },
    ]);

    github.expect(
      { method: "GET", path: `/repos/${REPO}/branches/dev/protection` },
      { status: 404, body: { message: "Branch not protected" } },
    );
    github.expect(
      { method: "GET", path: `/repos/${REPO}/rules/branches/dev`, query: "any" },
      { status: 200, body: [] },
    );
    await expect(api.branchRules("dev")).resolves.toEqual([]);

    github.expect(
      { method: "GET", path: `/repos/${REPO}/branches/prod/protection` },
      { status: 403, body: { message: "Resource not accessible by integration" } },
    );
    github.expect(
      { method: "GET", path: `/repos/${REPO}/rules/branches/prod`, query: "any" },
      { status: 200, body: [] },
    );
    await expect(api.branchRules("prod")).resolves.toEqual([
      { type: "branch protection, unreadable without the App's Administration (read) permission" },
    ]);
  });

  it("checkRuns lists a commit's check runs", async () => {
    github.expect(
      { method: "GET", path: `/repos/${REPO}/commits/head2/check-runs`, query: "any" },
      {
        status: 200,
        body: {
          total_count: 1,
          check_runs: [{ id: 1, name: "ci", status: "completed", conclusion: "success" }],
        },
      },
    );
    await expect(api.checkRuns("head2")).resolves.toEqual([
      { name: "ci", status: "completed", conclusion: "success" },
    ]);
  });

  it("reviews follows GitHub's pages and maps each review", async () => {
    expectListReviews(github, REPO, 12, [
      [
        {
          user: { login: "bob" },
          state: "APPROVED",
          commit_id: "a".repeat(40),
          submitted_at: "2024-05-01T10:00:00Z",
        },
        { user: null, state: "COMMENTED", commit_id: null, submitted_at: "2024-05-01T11:00:00Z" },
      ],
      [{ user: { login: "carol" }, state: "PENDING", commit_id: "b".repeat(40) }],
    ]);
    await expect(api.reviews(12)).resolves.toEqual([
      {
        user: "bob",
        state: "APPROVED",
        commitId: "a".repeat(40),
        submittedAt: "2024-05-01T10:00:00Z",
      },
      { user: "ghost", state: "COMMENTED", commitId: null, submittedAt: "2024-05-01T11:00:00Z" },
      { user: "carol", state: "PENDING", commitId: "b".repeat(40), submittedAt: "" },
    ]);
  });

  describe("createCheckRun", () => {
    it("sends 50 annotations with the create and the rest 50 an update", async () => {
      const annotations = Array.from({ length: 120 }, (_, index) => annotation(index + 1));
      const action = { label: "Apply", description: "Apply this plan", identifier: "apply" };
      const output = { title: "network@prod: planned", summary: "1 to add", text: "plan text" };
      expectCreateCheckRun(
        github,
        REPO,
        {
          name: "bosun: network@prod",
          head_sha: "head2",
          external_id: "run-1",
          status: "completed",
          conclusion: "action_required",
          details_url: "https://bosun.example/runs/1",
          output: { ...output, annotations: annotations.slice(0, 50) },
          actions: [action],
        },
        99,
      );
      expectUpdateCheckRun(github, REPO, 99, {
        output: { ...output, annotations: annotations.slice(50, 100) },
      });
      expectUpdateCheckRun(github, REPO, 99, {
        output: { ...output, annotations: annotations.slice(100) },
      });
      const id = await api.createCheckRun(
        "head2",
        "bosun: network@prod",
        {
          ...content,
          ...output,
          status: "completed",
          conclusion: "action_required",
          actions: [action],
          annotations,
        },
        "run-1",
      );
      expect(id).toBe(99);
    });

    it("sends no conclusion while in progress", async () => {
      expectCreateCheckRun(
        github,
        REPO,
        {
          name: "bosun: network@prod",
          head_sha: "head2",
          external_id: "run-1",
          status: "in_progress",
          details_url: "https://bosun.example/runs/1",
          output: { title: content.title, summary: content.summary, text: "", annotations: [] },
          actions: [],
        },
        100,
      );
      await expect(
        api.createCheckRun(
          "head2",
          "bosun: network@prod",
          { ...content, conclusion: "success" },
          "run-1",
        ),
      ).resolves.toBe(100);
    });
  });

  it("updateCheckRun sends no conclusion while in progress and [] to remove buttons", async () => {
    expectUpdateCheckRun(github, REPO, 99, {
      status: "in_progress",
      details_url: "https://bosun.example/runs/1",
      output: { title: content.title, summary: content.summary, text: "", annotations: [] },
      actions: [],
    });
    await api.updateCheckRun(99, { ...content, conclusion: "failure" });
  });

  it("createComment, updateComment and react", async () => {
    expectCreateComment(github, REPO, 12, "Planning…", 555);
    expectUpdateComment(github, REPO, 555, "Planned.");
    expectCreateReaction(github, REPO, 444, "eyes");
    expect(await api.createComment(12, "Planning…")).toBe(555);
    await api.updateComment(555, "Planned.");
    await api.react(444, "eyes");
  });

  it("createIssue answers the issue's number; updateIssue sends only what changes", async () => {
    expectCreateIssue(github, REPO, { title: "Drift detected in prod", body: "network" }, 31);
    expectUpdateIssue(github, REPO, 31, { body: "network, app" });
    expectUpdateIssue(github, REPO, 31, { state: "closed", state_reason: "completed" });
    expect(await api.createIssue("Drift detected in prod", "network")).toBe(31);
    await api.updateIssue(31, { body: "network, app" });
    await api.updateIssue(31, { state: "closed", stateReason: "completed" });
  });

  describe("createDeployment", () => {
    const input = {
      ref: "head2",
      environment: "prod",
      production: true,
      description: "network@prod",
      payload: { runId: "run-1" },
    };
    const body = {
      ref: "head2",
      environment: "prod",
      production_environment: true,
      transient_environment: false,
      description: "network@prod",
      payload: { runId: "run-1" },
      auto_merge: false,
      required_contexts: [],
    };

    it("deploys the exact ref without merging or waiting for statuses", async () => {
      expectCreateDeployment(github, REPO, body, { status: 201, id: 42 });
      await expect(api.createDeployment(input)).resolves.toBe(42);
    });

    it("fails with GitHub's message when it answers 202", async () => {
      expectCreateDeployment(github, REPO, body, {
        status: 202,
        message: "Auto-merged main into topic on deployment.",
      });
      const error = await api.createDeployment(input).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GithubApiError);
      expect(error).toMatchObject({
        status: 202,
        message:
          "creating a deployment of head2 to prod in acme/infra: " +
          "Auto-merged main into topic on deployment.",
      });
    });
  });

  it("setDeploymentStatus truncates the description and deactivates older deployments on success", async () => {
    expectCreateDeploymentStatus(github, REPO, 42, {
      state: "success",
      log_url: "https://bosun.example/runs/1",
      description: `${"x".repeat(139)}…`,
      environment: "prod",
      auto_inactive: true,
    });
    expectCreateDeploymentStatus(github, REPO, 42, {
      state: "failure",
      log_url: "https://bosun.example/runs/1",
      description: "apply failed",
      environment: "prod",
    });
    const where = { logUrl: "https://bosun.example/runs/1", environment: "prod" };
    await api.setDeploymentStatus(42, "success", { ...where, description: "x".repeat(200) });
    await api.setDeploymentStatus(42, "failure", { ...where, description: "apply failed" });
  });

  it("tarball follows GitHub's redirect to the archive", async () => {
    const archive = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00]);
    expectDownloadTarball(github, REPO, "head2", archive);
    expect((await api.tarball("head2")).equals(archive)).toBe(true);
  });
});

describe("createGithubGateway on GitHub Enterprise Server", () => {
  let github: GithubFake;
  afterEach(async () => {
    await github.close();
    github.verify();
  });

  it("sends its requests to the GHE_HOST API", async () => {
    const baseUrl = "http://ghe.internal:8080/api/v3";
    github = await startGithubFake(baseUrl);
    expectInstallationToken(github, INSTALLATION);
    expectGetContent(github, REPO, { path: "bosun.yml", ref: "main" }, { status: 200, body: "x" });
    const api = await createGithubGateway(probotAt(baseUrl), {})(INSTALLATION, REPO);
    await expect(api.readFile("bosun.yml", "main")).resolves.toBe("x");
  });
});

describe("createGithubRepoApi before asking GitHub", () => {
  let github: GithubFake;
  afterEach(async () => {
    await github.close();
    github.verify();
  });

  // No expectation at all: not even an installation token is minted.
  it("refuses more than three actions", async () => {
    github = await startGithubFake();
    const api = await createGithubGateway(probotAt(), {})(INSTALLATION, REPO);
    const actions = ["a", "b", "c", "d"].map((identifier) => ({
      label: identifier,
      description: identifier,
      identifier,
    }));
    await expect(
      api.createCheckRun("head2", "bosun", { ...content, actions }, "run-1"),
    ).rejects.toThrow(
      /^creating check run "bosun" on head2 in acme\/infra: a check run takes at most 3 actions, got 4: a, b, c, d$/,
    );
  });

  it("refuses a completed check run without a conclusion", async () => {
    github = await startGithubFake();
    const api = await createGithubGateway(probotAt(), {})(INSTALLATION, REPO);
    await expect(api.updateCheckRun(99, { ...content, status: "completed" })).rejects.toThrow(
      /needs a conclusion/,
    );
  });
});
