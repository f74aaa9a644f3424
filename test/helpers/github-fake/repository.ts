import { repositoryRoutes } from "./repository-routes.js";
import type { FakeReply, FakeRequest, Routes } from "./wire.js";

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

interface Fault {
  method: string;
  path: RegExp;
  remaining: number;
  status: number;
  headers: Record<string, string>;
  message: string;
}

/** GitHub's ids are unique across repositories: so are the fake's. */
let lastId = 1000;
export const nextId = (): number => (lastId += 1);

/**
 * One repository on the fake GitHub, for flows that make many requests: each documented endpoint
 * Bosun uses (repository-routes.ts) answers from this object's state and records the request, so
 * a test asserts which requests were made, in order, and what GitHub would now show.
 */
export class FakeRepository {
  /** The requests its endpoints answered (installation tokens and archive downloads aside). */
  readonly requests: FakeRequest[] = [];
  /** ref or sha → path → content. */
  readonly files = new Map<string, Record<string, string>>();
  /** commit sha → the archive codeload serves. */
  readonly tarballs = new Map<string, Buffer>();
  /** login → role (read, triage, write, maintain, admin); a login not here is not a collaborator. */
  readonly permissions = new Map<string, string>();
  readonly checkRuns: CheckRunRecord[] = [];
  readonly comments = new Map<number, { issue: number; body: string }>();
  /** Issues Bosun opened, by number, as "Get an issue" would show them now. */
  readonly issues = new Map<
    number,
    { number: number; title: string; body: string; state: string; state_reason: string | null }
  >();
  /**
   * The number the next issue gets. GitHub numbers issues and pull requests of a repository from
   * one sequence; starting past the fake's pull requests keeps them apart.
   */
  nextIssueNumber = 100;
  readonly reactions: { commentId: number; content: string }[] = [];
  readonly deployments: {
    id: number;
    body: Record<string, unknown>;
    statuses: Record<string, unknown>[];
  }[] = [];
  /** GitHub's reviews of the pull request, oldest first, as "List reviews for a pull request" returns them. */
  reviews: { user: { login: string }; state: string; commit_id: string; submitted_at: string }[] =
    [];
  /** branch name → the commit it points at (Get a reference). */
  readonly branches = new Map<string, string>();
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
  private readonly faults: Fault[] = [];

  constructor(
    github: Routes,
    readonly fullName: string,
  ) {
    this.pull.head.repo = { full_name: fullName };
    this.pull.base.repo = { full_name: fullName };
    for (const route of repositoryRoutes(this)) github.route(route);
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

  /** Records the request and answers it: with the injected failure it meets, if any. */
  serve(request: FakeRequest, answer: () => FakeReply): FakeReply {
    this.requests.push(request);
    const fault = this.faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        candidate.method === request.method &&
        candidate.path.test(request.path),
    );
    if (!fault) return answer();
    fault.remaining -= 1;
    this.failed.push({ method: request.method, path: request.path, status: fault.status });
    return { status: fault.status, body: { message: fault.message }, headers: fault.headers };
  }
}
