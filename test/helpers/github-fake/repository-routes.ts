import { type CheckRunRecord, type FakeRepository, nextId } from "./repository.js";
import type { FakeReply, FakeRequest, Route, SiteUrls } from "./wire.js";

const NOT_FOUND: FakeReply = { status: 404, body: { message: "Not Found" } };

/** The path's segment `fromEnd` places from its end (1: the last). */
const segment = (request: FakeRequest, fromEnd: number): string =>
  request.path.split("/").at(-fromEnd) ?? "";

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The documented REST endpoints Bosun uses, for one repository, answered from its state (see
 * https://docs.github.com/en/rest for each). Every one but codeload's records the request and
 * meets the failures the test injects.
 */
export function repositoryRoutes(repo: FakeRepository): Route[] {
  const prefix = `^/repos/${escape(repo.fullName)}`;
  const route = (
    method: string,
    path: string,
    answer: (request: FakeRequest, urls: SiteUrls) => FakeReply,
  ): Route => ({
    site: "api",
    method,
    path: new RegExp(`${prefix}${path}`),
    answer: (request, urls) => repo.serve(request, () => answer(request, urls)),
  });
  const bodyOf = (request: FakeRequest) => request.body as Record<string, unknown>;

  return [
    // Get repository content, asked for raw.
    route("GET", "/contents/", (request) => {
      const path = decodeURIComponent(request.path.replace(new RegExp(`${prefix}/contents/`), ""));
      const ref = new URLSearchParams(request.query).get("ref") ?? "";
      const content = repo.files.get(ref)?.[path];
      return content === undefined
        ? NOT_FOUND
        : { status: 200, body: content, headers: { "content-type": "application/vnd.github.raw" } };
    }),

    // Octokit sends the ref as one path parameter, its slash encoded: `git/ref/heads%2Fmain`.
    route("GET", "/git/ref/heads(/|%2F).+$", (request) => {
      const branch = decodeURIComponent(
        request.path.replace(new RegExp(`${prefix}/git/ref/heads(/|%2F)`), ""),
      );
      const sha = repo.branches.get(branch);
      return sha === undefined
        ? NOT_FOUND
        : {
            status: 200,
            body: {
              ref: `refs/heads/${branch}`,
              node_id: "REF_kwDOA",
              url: `https://api.github.com/repos/${repo.fullName}/git/refs/heads/${branch}`,
              object: {
                sha,
                type: "commit",
                url: `https://api.github.com/repos/${repo.fullName}/git/commits/${sha}`,
              },
            },
          };
    }),

    route("GET", "/collaborators/[^/]+/permission$", (request) => {
      const user = segment(request, 2);
      const role = repo.permissions.get(user);
      // GitHub's `permission` is the legacy base role: maintain reads as write, triage as read
      // (https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user).
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return role === undefined
        ? NOT_FOUND
        : { status: 200, body: { permission, role_name: role, user: { login: user } } };
    }),

    route("GET", "/compare/", () => ({
      status: 200,
      body: { ...repo.compare, status: "ahead", ahead_by: 1, total_commits: 1, commits: [] },
    })),

    route("GET", "/pulls/\\d+$", () => ({ status: 200, body: repo.pull })),

    route("GET", "/pulls/\\d+/reviews$", () => ({ status: 200, body: repo.reviews })),

    route("GET", "/branches/[^/]+/protection$", () =>
      repo.protection === undefined
        ? { status: 404, body: { message: "Branch not protected" } }
        : { status: 200, body: repo.protection },
    ),

    route("GET", "/rules/branches/[^/]+", () => ({ status: 200, body: repo.rules })),

    // List check runs for a Git reference: newest first, as GitHub lists them.
    route("GET", "/commits/[0-9a-f]+/check-runs$", (request) => {
      const sha = segment(request, 2);
      const runs = [
        ...repo.checkRuns.map((run) => ({
          head_sha: run.head_sha,
          name: run.name,
          status: run.status,
          conclusion: run.conclusion ?? null,
        })),
        ...repo.otherCheckRuns,
      ]
        .filter((run) => run.head_sha === sha)
        .reverse();
      return { status: 200, body: { total_count: runs.length, check_runs: runs } };
    }),

    route("GET", "/commits/[0-9a-f]+/pulls$", (request) => {
      const sha = segment(request, 2);
      const merged = repo.mergedPulls.get(sha);
      return {
        status: 200,
        body:
          merged === undefined
            ? []
            : [{ number: merged, merged_at: "2026-11-22T00:00:00Z", merge_commit_sha: sha }],
      };
    }),

    route("POST", "/check-runs$", (request) => {
      const sent = bodyOf(request);
      const run = { id: nextId(), history: [sent], ...sent } as CheckRunRecord;
      repo.checkRuns.push(run);
      return { status: 201, body: { id: run.id } };
    }),

    route("PATCH", "/check-runs/\\d+$", (request) => {
      const run = repo.checkRuns.find((r) => r.id === Number(segment(request, 1)));
      if (!run) return NOT_FOUND;
      Object.assign(run, bodyOf(request));
      run.history.push(bodyOf(request));
      return { status: 200, body: { id: run.id } };
    }),

    route("POST", "/issues/\\d+/comments$", (request) => {
      const commentId = nextId();
      repo.comments.set(commentId, {
        issue: Number(segment(request, 2)),
        body: String(bodyOf(request).body),
      });
      return { status: 201, body: { id: commentId } };
    }),

    route("PATCH", "/issues/comments/\\d+$", (request) => {
      const commentId = Number(segment(request, 1));
      const comment = repo.comments.get(commentId);
      if (!comment) return NOT_FOUND;
      comment.body = String(bodyOf(request).body);
      return { status: 200, body: { id: commentId } };
    }),

    // Create an issue: 201 with the issue, open (https://docs.github.com/en/rest/issues/issues#create-an-issue).
    route("POST", "/issues$", (request) => {
      const sent = bodyOf(request);
      const issue = {
        number: repo.nextIssueNumber++,
        title: String(sent.title),
        body: String(sent.body ?? ""),
        state: "open",
        state_reason: null,
      };
      repo.issues.set(issue.number, issue);
      return { status: 201, body: { id: nextId(), ...issue } };
    }),

    // Update an issue: what the body names changes; closing records state_reason, reopening clears
    // it (https://docs.github.com/en/rest/issues/issues#update-an-issue).
    route("PATCH", "/issues/\\d+$", (request) => {
      const issue = repo.issues.get(Number(segment(request, 1)));
      if (!issue) return NOT_FOUND;
      const sent = bodyOf(request);
      if (typeof sent.title === "string") issue.title = sent.title;
      if (typeof sent.body === "string") issue.body = sent.body;
      if (sent.state === "open" || sent.state === "closed") {
        issue.state = sent.state;
        issue.state_reason =
          sent.state === "closed" ? String(sent.state_reason ?? "completed") : null;
      }
      return { status: 200, body: { id: nextId(), ...issue } };
    }),

    route("POST", "/issues/comments/\\d+/reactions$", (request) => {
      repo.reactions.push({
        commentId: Number(segment(request, 2)),
        content: String(bodyOf(request).content),
      });
      return { status: 201, body: { id: nextId() } };
    }),

    route("POST", "/deployments$", (request) => {
      const deployment = { id: nextId(), body: bodyOf(request), statuses: [] };
      repo.deployments.push(deployment);
      return { status: 201, body: { id: deployment.id } };
    }),

    route("POST", "/deployments/\\d+/statuses$", (request) => {
      const deployment = repo.deployments.find((d) => d.id === Number(segment(request, 2)));
      deployment?.statuses.push(bodyOf(request));
      return { status: 201, body: { id: nextId() } };
    }),

    // Download a repository archive (tar): as on github.com, a redirect to codeload.
    route("GET", "/tarball/", (request, urls) => ({
      status: 302,
      body: "",
      headers: {
        location: `${urls.codeload}/${repo.fullName}/legacy.tar.gz/${segment(request, 1)}`,
      },
    })),
    {
      site: "codeload",
      method: "GET",
      path: new RegExp(`^/${escape(repo.fullName)}/legacy\\.tar\\.gz/`),
      answer: (request) => {
        const archive = repo.tarballs.get(segment(request, 1));
        return archive
          ? { status: 200, body: archive, headers: { "content-type": "application/x-gzip" } }
          : { status: 404, body: "Not Found" };
      },
    },
  ];
}
