import { type GithubFake, installationToken } from "./github-fake.js";

/*
 * Named expectations, one per documented REST endpoint Bosun calls: each matches the whole
 * request (path, query, and body where there is one), so a test that declares one asserts the
 * exact request, and answers it once. `repo` is `owner/name`.
 */

const NOT_FOUND = { status: 404, body: { message: "Not Found" } };

/** POST /app/installations/{installation_id}/access_tokens, which Probot calls before any API request. */
export function expectInstallationToken(github: GithubFake, installationId = 1): void {
  github.expect(
    { method: "POST", path: `/app/installations/${installationId}/access_tokens` },
    { status: 201, body: installationToken },
  );
}

/** GET /repos/{owner}/{repo}/contents/{path}?ref=, asking for the raw file. */
export function expectGetContent(
  github: GithubFake,
  repo: string,
  request: { path: string; ref: string },
  reply: { status: 200; body: string } | { status: 404 },
): void {
  github.expect(
    {
      method: "GET",
      path: `/repos/${repo}/contents/${encodeURIComponent(request.path)}`,
      query: { ref: request.ref },
      headers: { accept: /^application\/vnd\.github(\.v3)?\.raw/ },
    },
    reply.status === 404
      ? NOT_FOUND
      : {
          status: 200,
          body: reply.body,
          headers: { "content-type": "application/vnd.github.raw" },
        },
  );
}

/** GET /repos/{owner}/{repo}/collaborators/{username}/permission */
export function expectGetCollaboratorPermission(
  github: GithubFake,
  repo: string,
  username: string,
  reply: { status: 200; permission: string; role_name?: string } | { status: 404 },
): void {
  const { status, ...body } = reply;
  github.expect(
    { method: "GET", path: `/repos/${repo}/collaborators/${username}/permission` },
    status === 404 ? NOT_FOUND : { status, body: { ...body, user: { login: username } } },
  );
}

/** GET /repos/{owner}/{repo}/compare/{base}...{head}, without paging parameters. */
export function expectCompareCommits(
  github: GithubFake,
  repo: string,
  basehead: string,
  body: object,
): void {
  github.expect(
    { method: "GET", path: `/repos/${repo}/compare/${basehead}` },
    { status: 200, body },
  );
}

/** GET /repos/{owner}/{repo}/pulls/{pull_number} */
export function expectGetPullRequest(
  github: GithubFake,
  repo: string,
  pullNumber: number,
  body: object,
): void {
  github.expect(
    { method: "GET", path: `/repos/${repo}/pulls/${pullNumber}` },
    { status: 200, body },
  );
}

/** GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews, 100 a page, with Link headers. */
export function expectListReviews(
  github: GithubFake,
  repo: string,
  pullNumber: number,
  pages: object[][],
): void {
  const path = `/repos/${repo}/pulls/${pullNumber}/reviews`;
  pages.forEach((page, index) => {
    const next = index + 2;
    github.expect(
      {
        method: "GET",
        path,
        query: index === 0 ? { per_page: "100" } : { per_page: "100", page: String(index + 1) },
      },
      {
        status: 200,
        body: page,
        headers:
          next <= pages.length
            ? { link: `<${github.urls.api}${path}?per_page=100&page=${next}>; rel="next"` }
            : {},
      },
    );
  });
}

/** POST /repos/{owner}/{repo}/check-runs */
export function expectCreateCheckRun(
  github: GithubFake,
  repo: string,
  body: object,
  checkRunId: number,
): void {
  github.expect(
    { method: "POST", path: `/repos/${repo}/check-runs`, body },
    { status: 201, body: { id: checkRunId } },
  );
}

/** PATCH /repos/{owner}/{repo}/check-runs/{check_run_id} */
export function expectUpdateCheckRun(
  github: GithubFake,
  repo: string,
  checkRunId: number,
  body: object,
): void {
  github.expect(
    { method: "PATCH", path: `/repos/${repo}/check-runs/${checkRunId}`, body },
    { status: 200, body: { id: checkRunId } },
  );
}

/** POST /repos/{owner}/{repo}/issues/{issue_number}/comments */
export function expectCreateComment(
  github: GithubFake,
  repo: string,
  issueNumber: number,
  body: string,
  commentId: number,
): void {
  github.expect(
    { method: "POST", path: `/repos/${repo}/issues/${issueNumber}/comments`, body: { body } },
    { status: 201, body: { id: commentId, body } },
  );
}

/** PATCH /repos/{owner}/{repo}/issues/comments/{comment_id} */
export function expectUpdateComment(
  github: GithubFake,
  repo: string,
  commentId: number,
  body: string,
): void {
  github.expect(
    { method: "PATCH", path: `/repos/${repo}/issues/comments/${commentId}`, body: { body } },
    { status: 200, body: { id: commentId, body } },
  );
}

/** POST /repos/{owner}/{repo}/issues */
export function expectCreateIssue(
  github: GithubFake,
  repo: string,
  issue: { title: string; body: string },
  issueNumber: number,
): void {
  github.expect(
    { method: "POST", path: `/repos/${repo}/issues`, body: issue },
    { status: 201, body: { id: issueNumber * 1000, number: issueNumber, state: "open", ...issue } },
  );
}

/** PATCH /repos/{owner}/{repo}/issues/{issue_number} */
export function expectUpdateIssue(
  github: GithubFake,
  repo: string,
  issueNumber: number,
  change: Record<string, unknown>,
): void {
  github.expect(
    { method: "PATCH", path: `/repos/${repo}/issues/${issueNumber}`, body: change },
    { status: 200, body: { id: issueNumber * 1000, number: issueNumber, ...change } },
  );
}

/** POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions */
export function expectCreateReaction(
  github: GithubFake,
  repo: string,
  commentId: number,
  content: string,
): void {
  github.expect(
    {
      method: "POST",
      path: `/repos/${repo}/issues/comments/${commentId}/reactions`,
      body: { content },
    },
    { status: 201, body: { id: 1, content } },
  );
}

/** POST /repos/{owner}/{repo}/deployments; 201 with the deployment, or 202 with a message. */
export function expectCreateDeployment(
  github: GithubFake,
  repo: string,
  body: object,
  reply: { status: 201; id: number } | { status: 202; message: string },
): void {
  github.expect(
    { method: "POST", path: `/repos/${repo}/deployments`, body },
    reply.status === 201
      ? { status: 201, body: { id: reply.id } }
      : { status: 202, body: { message: reply.message } },
  );
}

/** POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses */
export function expectCreateDeploymentStatus(
  github: GithubFake,
  repo: string,
  deploymentId: number,
  body: object,
): void {
  github.expect(
    { method: "POST", path: `/repos/${repo}/deployments/${deploymentId}/statuses`, body },
    { status: 201, body: { id: 1 } },
  );
}

/**
 * GET /repos/{owner}/{repo}/tarball/{ref}: as on github.com, a redirect to codeload, which serves
 * the archive.
 */
export function expectDownloadTarball(
  github: GithubFake,
  repo: string,
  ref: string,
  archive: Buffer,
): void {
  const path = `/${repo}/legacy.tar.gz/${ref}`;
  github.expect(
    { method: "GET", path: `/repos/${repo}/tarball/${ref}` },
    { status: 302, body: "", headers: { location: `${github.urls.codeload}${path}` } },
  );
  github.expect(
    { site: "codeload", method: "GET", path },
    { status: 200, body: archive, headers: { "content-type": "application/x-gzip" } },
  );
}

/*
 * A user signing in to the run pages (the App's user authorization flow), and what GitHub tells
 * Bosun with that user's token.
 */

/** POST {web}/login/oauth/access_token: the code exchange, on GitHub's web host (not the API). */
export function expectExchangeOAuthCode(
  github: GithubFake,
  request: { clientId: string; clientSecret: string; code: string; redirectUri: string },
  reply: { token: string } | { error: "bad_verification_code" },
): void {
  github.expect(
    {
      site: "web",
      method: "POST",
      path: "/login/oauth/access_token",
      body: {
        client_id: request.clientId,
        client_secret: request.clientSecret,
        code: request.code,
        redirect_uri: request.redirectUri,
      },
      headers: { accept: "application/json" },
    },
    {
      status: 200,
      body:
        "token" in reply
          ? { access_token: reply.token, token_type: "bearer", scope: "" }
          : { error: reply.error, error_description: "The code passed is incorrect or expired." },
    },
  );
}

/** GET /user with the user's token. */
export function expectGetAuthenticatedUser(github: GithubFake, token: string, login: string): void {
  github.expect(
    { method: "GET", path: "/user", headers: { authorization: `token ${token}` } },
    { status: 200, body: { login, id: 1, type: "User" } },
  );
}

/** GET /repos/{owner}/{repo} with the user's token: 200 when they can read it, 404 when not. */
export function expectGetRepositoryAsUser(
  github: GithubFake,
  repo: string,
  token: string,
  reply: { status: 200 | 404 },
): void {
  github.expect(
    { method: "GET", path: `/repos/${repo}`, headers: { authorization: `token ${token}` } },
    reply.status === 200 ? { status: 200, body: { full_name: repo, private: true } } : NOT_FOUND,
  );
}

/**
 * GET /app/hook/deliveries, newest first, one page per element of `pages`; every page but the
 * last links to the next with a `cursor`, as GitHub does.
 */
export function expectListAppHookDeliveries(
  github: GithubFake,
  pages: readonly (readonly Record<string, unknown>[])[],
): void {
  pages.forEach((items, index) => {
    github.expect(
      {
        method: "GET",
        path: "/app/hook/deliveries",
        query: index === 0 ? { per_page: "100" } : { per_page: "100", cursor: `page${index}` },
      },
      {
        status: 200,
        body: items,
        headers:
          index + 1 < pages.length
            ? {
                link: `<${github.urls.api}/app/hook/deliveries?per_page=100&cursor=page${index + 1}>; rel="next"`,
              }
            : {},
      },
    );
  });
}

/** POST /app/hook/deliveries/{delivery_id}/attempts: GitHub accepts the redelivery (202). */
export function expectRedeliverAppHookDelivery(
  github: GithubFake,
  deliveryId: number,
  status: 202 | 422 = 202,
): void {
  github.expect(
    { method: "POST", path: `/app/hook/deliveries/${deliveryId}/attempts` },
    { status, body: status === 202 ? {} : { message: "Validation Failed" } },
  );
}

/*
 * The App setup (manifest flow): GitHub registers the App and Bosun exchanges the code it sent.
 */

/** A registered App as POST /app-manifests/{code}/conversions describes it. */
export interface ConvertedApp {
  id: number;
  slug: string;
  owner: string;
  pem: string;
  webhookSecret: string;
  clientId: string;
  clientSecret: string;
}

/**
 * POST /app-manifests/{code}/conversions, unauthenticated: GitHub's 201 with the App and its
 * credentials (the fields of https://docs.github.com/en/rest/apps/apps#create-a-github-app-from-a-manifest
 * Bosun reads, and a few it does not), or 404 for a code it does not know.
 */
export function expectCreateAppFromManifest(
  github: GithubFake,
  code: string,
  app: ConvertedApp | "unknown code",
): void {
  github.expect(
    { method: "POST", path: `/app-manifests/${code}/conversions` },
    app === "unknown code"
      ? { status: 404, body: { message: "Not Found" } }
      : {
          status: 201,
          body: {
            id: app.id,
            slug: app.slug,
            node_id: "A_kwDOAAABew",
            name: app.slug,
            owner: { login: app.owner, id: 1, type: "User" },
            html_url: `${github.urls.web}/apps/${app.slug}`,
            external_url: "https://bosun.example.com",
            permissions: { metadata: "read" },
            events: [],
            created_at: "2026-12-07T00:00:00Z",
            updated_at: "2026-12-07T00:00:00Z",
            pem: app.pem,
            webhook_secret: app.webhookSecret,
            client_id: app.clientId,
            client_secret: app.clientSecret,
          },
        },
  );
}
