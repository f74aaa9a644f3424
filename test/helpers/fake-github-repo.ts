import nock from "nock";
import type { GithubFake } from "./github-fake.js";

interface NoMatch {
  method?: string;
  path?: string;
  hostname?: string;
  options?: { method?: string; path?: string; hostname?: string; host?: string };
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string without its `?` (e.g. `ref=…` of a file read), empty when none. */
  query: string;
  body: unknown;
}

export interface CheckRunRecord {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string;
  output?: { title: string; summary: string; text?: string; annotations?: unknown[] };
  actions?: { identifier: string }[];
  details_url?: string;
  /** Every body sent for it, create first. */
  history: Record<string, unknown>[];
}

/**
 * One repository on a fake GitHub, for flows that make many requests: each documented endpoint
 * Bosun uses is faked by a named interceptor (`nockGetContent`, `nockCreateCheckRun`, …) that
 * answers from this object's state and records the request, so a test asserts exactly which
 * requests were made, in order, and what GitHub would now show. A request to any other endpoint
 * has no interceptor: nock refuses it and `unexpected` records it, failing the test.
 */
export class FakeGithubRepo {
  readonly requests: RecordedRequest[] = [];
  readonly unexpected: string[] = [];
  /** ref or sha → path → content. */
  readonly files = new Map<string, Record<string, string>>();
  readonly tarballs = new Map<string, Buffer>();
  readonly permissions = new Map<string, string>();
  readonly checkRuns: CheckRunRecord[] = [];
  readonly comments = new Map<number, { issue: number; body: string }>();
  readonly reactions: { commentId: number; content: string }[] = [];
  readonly deployments: {
    id: number;
    body: Record<string, unknown>;
    statuses: Record<string, unknown>[];
  }[] = [];
  /** GitHub's reviews of the pull request, oldest first, as "List reviews for a pull request" returns them. */
  reviews: { user: { login: string }; state: string; commit_id: string; submitted_at: string }[] =
    [];
  /** merge commit sha → the pull request it merged. */
  readonly mergedPulls = new Map<string, number>();
  pull = {
    number: 2,
    state: "open",
    merged: false,
    mergeable: true as boolean | null,
    mergeable_state: "clean",
    user: { login: "Codertocat" },
    head: { sha: "", repo: { full_name: "" } as { full_name: string } | null },
    base: { sha: "", ref: "master", repo: { full_name: "" } },
  };
  /**
   * The base branch's classic protection, as "Get branch protection" returns it; undefined is
   * GitHub's 404 "Branch not protected".
   */
  protection: Record<string, unknown> | undefined = undefined;
  /** The rulesets' rules for the base branch, as "Get rules for a branch" lists them. */
  rules: { type: string; parameters?: Record<string, unknown> }[] = [];
  /** Check runs of other apps (CI), besides the ones Bosun creates. */
  readonly otherCheckRuns: {
    head_sha: string;
    name: string;
    status: string;
    conclusion: string | null;
  }[] = [];
  compare = {
    files: [] as { filename: string; status: string; previous_filename?: string }[],
    behind_by: 0,
    merge_base_commit: { sha: "" },
  };
  /** Requests answered with an injected failure (see failNext). */
  readonly failed: { method: string; path: string; status: number }[] = [];
  private readonly faults: {
    method: string;
    path: RegExp;
    remaining: number;
    status: number;
    headers: Record<string, string>;
    message: string;
  }[] = [];
  /** GitHub's ids are unique across repositories: so are the fake's. */
  private static nextId = 1000;

  constructor(
    private readonly github: GithubFake,
    readonly fullName: string,
  ) {
    this.pull.head.repo = { full_name: fullName };
    this.pull.base.repo = { full_name: fullName };
    this.install();
  }

  /** Requests of one kind, e.g. `count("POST", /check-runs$/)`. */
  count(method: string, path: RegExp): number {
    return this.requests.filter((r) => r.method === method && path.test(r.path)).length;
  }

  checkRun(name: string): CheckRunRecord | undefined {
    return this.checkRuns.filter((run) => run.name === name).at(-1);
  }

  commentsOn(issue: number): string[] {
    return [...this.comments.values()].filter((c) => c.issue === issue).map((c) => c.body);
  }

  /**
   * GitHub failing: the next `times` requests matching `method` and `path` are answered with
   * `status` (and the headers given, e.g. retry-after) instead of the fake's usual answer.
   */
  failNext(
    method: string,
    path: RegExp,
    times: number,
    status = 502,
    headers: Record<string, string> = {},
    message = "injected failure",
  ): void {
    this.faults.push({ method, path, remaining: times, status, headers, message });
  }

  /** Records the request; returns the injected failure it meets, if any. */
  private record(
    method: string,
    uri: string,
    body: unknown,
  ): [number, { message: string }, Record<string, string>] | undefined {
    const [path = "", query = ""] = uri.split("?");
    this.requests.push({ method, path, query, body });
    const fault = this.faults.find(
      (candidate) =>
        candidate.remaining > 0 && candidate.method === method && candidate.path.test(path),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    this.failed.push({ method, path, status: fault.status });
    return [fault.status, { message: fault.message }, fault.headers];
  }

  private install(): void {
    const repo = `/repos/${this.fullName}`;
    const api = this.github.api;
    const id = () => (FakeGithubRepo.nextId += 1);

    // nockInstallationToken: Probot asks for a token before its first request and caches it.
    api
      .post(/\/app\/installations\/\d+\/access_tokens/)
      .reply(201, { token: "ghs_flowtoken", expires_at: "2999-01-01T00:00:00Z", permissions: {} })
      .persist();

    // nockGetContent
    api
      .get(new RegExp(`^${repo}/contents/`))
      .query(true)
      .reply((uri) => {
        const fault = this.record("GET", uri, undefined);
        if (fault) return fault;
        const url = new URL(uri, "https://api.github.com");
        const path = decodeURIComponent(url.pathname.slice(`${repo}/contents/`.length));
        const content = this.files.get(url.searchParams.get("ref") ?? "")?.[path];
        return content === undefined
          ? [404, { message: "Not Found" }]
          : [200, content, { "content-type": "application/vnd.github.raw" }];
      })
      .persist();

    // nockGetCollaboratorPermission
    api
      .get(new RegExp(`^${repo}/collaborators/[^/]+/permission$`))
      .reply((uri) => {
        const fault = this.record("GET", uri, undefined);
        if (fault) return fault;
        const user = uri.split("/").at(-2)!;
        const role = this.permissions.get(user);
        // GitHub's `permission` is the legacy base role: maintain reads as write, triage as read
        // (https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user).
        const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
        return role === undefined
          ? [404, { message: "Not Found" }]
          : [200, { permission, role_name: role, user: { login: user } }];
      })
      .persist();

    // nockCompareCommits
    api
      .get(new RegExp(`^${repo}/compare/`))
      .reply((uri) => {
        const fault = this.record("GET", uri, undefined);
        if (fault) return fault;
        return [
          200,
          { ...this.compare, status: "ahead", ahead_by: 1, total_commits: 1, commits: [] },
        ];
      })
      .persist();

    // nockGetPullRequest
    api
      .get(new RegExp(`^${repo}/pulls/\\d+$`))
      .reply((uri) => {
        const fault = this.record("GET", uri, undefined);
        if (fault) return fault;
        return [200, this.pull];
      })
      .persist();

    // nockListReviews
    api
      .get(new RegExp(`^${repo}/pulls/\\d+/reviews`))
      .query(true)
      .reply((uri) => {
        const fault = this.record("GET", uri, undefined);
        if (fault) return fault;
        return [200, this.reviews];
      })
      .persist();

    // nockGetBranchProtection
    api
      .get(new RegExp(`^${repo}/branches/[^/]+/protection$`))
      .reply((uri) => {
        const fault = this.record("GET", uri, undefined);
        if (fault) return fault;
        return this.protection === undefined
          ? [404, { message: "Branch not protected" }]
          : [200, this.protection];
      })
      .persist();

    // nockGetBranchRules
    api
      .get(new RegExp(`^${repo}/rules/branches/[^/?]+`))
      .query(true)
      .reply((uri) => {
        const fault = this.record("GET", uri, undefined);
        if (fault) return fault;
        return [200, this.rules];
      })
      .persist();

    // nockListCheckRunsForRef: newest first, as GitHub lists them.
    api
      .get(new RegExp(`^${repo}/commits/[0-9a-f]+/check-runs`))
      .query(true)
      .reply((uri) => {
        const fault = this.record("GET", uri, undefined);
        if (fault) return fault;
        const sha = uri.split("?")[0]!.split("/").at(-2)!;
        const runs = [
          ...this.checkRuns.map((run) => ({
            head_sha: run.head_sha,
            name: run.name,
            status: run.status,
            conclusion: run.conclusion ?? null,
          })),
          ...this.otherCheckRuns,
        ]
          .filter((run) => run.head_sha === sha)
          .reverse();
        return [200, { total_count: runs.length, check_runs: runs }];
      })
      .persist();

    // nockListPullRequestsAssociatedWithCommit
    api
      .get(new RegExp(`^${repo}/commits/[0-9a-f]+/pulls$`))
      .reply((uri) => {
        const fault = this.record("GET", uri, undefined);
        if (fault) return fault;
        const sha = uri.split("/").at(-2)!;
        const merged = this.mergedPulls.get(sha);
        return [
          200,
          merged === undefined
            ? []
            : [{ number: merged, merged_at: "2026-11-22T00:00:00Z", merge_commit_sha: sha }],
        ];
      })
      .persist();

    // nockCreateCheckRun
    api
      .post(`${repo}/check-runs`)
      .reply((uri, body) => {
        const fault = this.record("POST", uri, body);
        if (fault) return fault;
        const sent = body as Record<string, unknown>;
        const run = { id: id(), history: [sent], ...(sent as object) } as CheckRunRecord;
        this.checkRuns.push(run);
        return [201, { id: run.id }];
      })
      .persist();

    // nockUpdateCheckRun
    api
      .patch(new RegExp(`^${repo}/check-runs/\\d+$`))
      .reply((uri, body) => {
        const fault = this.record("PATCH", uri, body);
        if (fault) return fault;
        const run = this.checkRuns.find((r) => r.id === Number(uri.split("/").at(-1)));
        if (!run) return [404, { message: "Not Found" }];
        Object.assign(run, body as object);
        run.history.push(body as Record<string, unknown>);
        return [200, { id: run.id }];
      })
      .persist();

    // nockCreateComment
    api
      .post(new RegExp(`^${repo}/issues/\\d+/comments$`))
      .reply((uri, body) => {
        const fault = this.record("POST", uri, body);
        if (fault) return fault;
        const commentId = id();
        this.comments.set(commentId, {
          issue: Number(uri.split("/").at(-2)),
          body: (body as { body: string }).body,
        });
        return [201, { id: commentId }];
      })
      .persist();

    // nockUpdateComment
    api
      .patch(new RegExp(`^${repo}/issues/comments/\\d+$`))
      .reply((uri, body) => {
        const fault = this.record("PATCH", uri, body);
        if (fault) return fault;
        const comment = this.comments.get(Number(uri.split("/").at(-1)));
        if (!comment) return [404, { message: "Not Found" }];
        comment.body = (body as { body: string }).body;
        return [200, { id: Number(uri.split("/").at(-1)) }];
      })
      .persist();

    // nockCreateReaction
    api
      .post(new RegExp(`^${repo}/issues/comments/\\d+/reactions$`))
      .reply((uri, body) => {
        const fault = this.record("POST", uri, body);
        if (fault) return fault;
        this.reactions.push({
          commentId: Number(uri.split("/").at(-2)),
          content: (body as { content: string }).content,
        });
        return [201, { id: id() }];
      })
      .persist();

    // nockCreateDeployment
    api
      .post(`${repo}/deployments`)
      .reply((uri, body) => {
        const fault = this.record("POST", uri, body);
        if (fault) return fault;
        const deployment = { id: id(), body: body as Record<string, unknown>, statuses: [] };
        this.deployments.push(deployment);
        return [201, { id: deployment.id }];
      })
      .persist();

    // nockCreateDeploymentStatus
    api
      .post(new RegExp(`^${repo}/deployments/\\d+/statuses$`))
      .reply((uri, body) => {
        const fault = this.record("POST", uri, body);
        if (fault) return fault;
        const deployment = this.deployments.find((d) => d.id === Number(uri.split("/").at(-2)));
        deployment?.statuses.push(body as Record<string, unknown>);
        return [201, { id: id() }];
      })
      .persist();

    // nockDownloadTarball: a redirect to codeload, as on github.com.
    api
      .get(new RegExp(`^${repo}/tarball/`))
      .reply((uri) => {
        const fault = this.record("GET", uri, undefined);
        if (fault) return fault;
        const ref = uri.split("/").at(-1)!;
        return [
          302,
          "",
          { location: `https://codeload.github.com/${this.fullName}/legacy.tar.gz/${ref}` },
        ];
      })
      .persist();
    nock("https://codeload.github.com")
      .get(new RegExp(`^/${this.fullName}/legacy\\.tar\\.gz/`))
      .reply((uri) => {
        const archive = this.tarballs.get(uri.split("/").at(-1)!);
        return archive
          ? [200, archive, { "content-type": "application/x-gzip" }]
          : [404, "Not Found"];
      })
      .persist();

    nock.emitter.on("no match", this.onNoMatch);
  }

  /** Stops listening for requests nothing expected; call when the test ends. */
  close(): void {
    nock.emitter.removeListener("no match", this.onNoMatch);
  }

  private readonly onNoMatch = (request: NoMatch): void => {
    const host = request.options?.hostname ?? request.hostname ?? request.options?.host ?? "";
    if (/^(127\.0\.0\.1|localhost)/.test(host)) return;
    const method = request.method ?? request.options?.method ?? "?";
    this.unexpected.push(`${method} ${host}${request.path ?? request.options?.path ?? ""}`);
  };
}
