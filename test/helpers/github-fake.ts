import nock from "nock";

/**
 * The one place tests intercept GitHub. Real network is off while a fake is active; every
 * interceptor a test declares must be used (`done()`), and a request nothing expects fails the
 * handler that made it.
 */
export interface GithubFake {
  /** GitHub's REST API root that `api` intercepts. */
  baseUrl: string;
  /** The nock scope for GitHub's REST API; name each interceptor after the API call it fakes. */
  api: nock.Scope;
  /** Fakes POST /app/installations/{id}/access_tokens, which Probot calls before any API request. */
  nockInstallationToken(installationId?: number): nock.Scope;
  /** Fails the test when an interceptor was declared and never used. */
  done(): void;
  restore(): void;
}

export function createGithubFake(baseUrl = "https://api.github.com"): GithubFake {
  nock.disableNetConnect();
  // Tests talk to their own servers on loopback; GitHub is never reachable.
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  const api = nock(baseUrl);
  return {
    baseUrl,
    api,
    nockInstallationToken(installationId = 1) {
      return api
        .post(`/app/installations/${installationId}/access_tokens`)
        .reply(201, { token: "ghs_testtoken", expires_at: "2999-01-01T00:00:00Z" });
    },
    done() {
      const pending = nock.pendingMocks();
      if (pending.length > 0) {
        throw new Error(`GitHub requests declared but never made:\n  ${pending.join("\n  ")}`);
      }
    },
    restore() {
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}

/*
 * Named scopes for the REST calls of src/github/github-repo-api.ts, one per documented endpoint.
 * Each matches the whole request (path, query, and body where there is one), so a test that
 * declares one asserts the exact request; `repo` is `owner/name`.
 */

/** A request body as it goes on the wire (undefined fields dropped), for nock's exact match. */
function wireBody(body: object): nock.DataMatcherMap {
  return JSON.parse(JSON.stringify(body)) as nock.DataMatcherMap;
}

/** GET /repos/{owner}/{repo}/contents/{path}?ref=, asking for the raw file. */
export function nockGetContent(
  github: GithubFake,
  repo: string,
  request: { path: string; ref: string },
  reply: { status: 200; body: string } | { status: 404 },
): nock.Scope {
  const interceptor = github.api
    .get(`/repos/${repo}/contents/${encodeURIComponent(request.path)}`)
    .query({ ref: request.ref })
    .matchHeader("accept", /^application\/vnd\.github(\.v3)?\.raw/);
  return reply.status === 404
    ? interceptor.reply(404, { message: "Not Found" })
    : interceptor.reply(200, reply.body, { "content-type": "application/vnd.github.raw" });
}

/** GET /repos/{owner}/{repo}/collaborators/{username}/permission */
export function nockGetCollaboratorPermission(
  github: GithubFake,
  repo: string,
  username: string,
  reply: { status: 200; permission: string; role_name?: string } | { status: 404 },
): nock.Scope {
  const interceptor = github.api.get(`/repos/${repo}/collaborators/${username}/permission`);
  if (reply.status === 404) return interceptor.reply(404, { message: "Not Found" });
  const { status: _, ...body } = reply;
  return interceptor.reply(200, { ...body, user: { login: username } });
}

/** GET /repos/{owner}/{repo}/compare/{base}...{head}, without paging parameters. */
export function nockCompareCommits(
  github: GithubFake,
  repo: string,
  basehead: string,
  body: object,
): nock.Scope {
  return github.api.get(`/repos/${repo}/compare/${basehead}`).reply(200, body);
}

/** GET /repos/{owner}/{repo}/pulls/{pull_number} */
export function nockGetPullRequest(
  github: GithubFake,
  repo: string,
  pullNumber: number,
  body: object,
): nock.Scope {
  return github.api.get(`/repos/${repo}/pulls/${pullNumber}`).reply(200, body);
}

/** GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews, 100 a page, with Link headers. */
export function nockListReviews(
  github: GithubFake,
  repo: string,
  pullNumber: number,
  pages: object[][],
): nock.Scope {
  const path = `/repos/${repo}/pulls/${pullNumber}/reviews`;
  pages.forEach((page, index) => {
    const next = index + 2;
    const headers: Record<string, string> =
      next <= pages.length
        ? { link: `<${github.baseUrl}${path}?per_page=100&page=${next}>; rel="next"` }
        : {};
    github.api
      .get(path)
      .query(index === 0 ? { per_page: "100" } : { per_page: "100", page: String(index + 1) })
      .reply(200, page, headers);
  });
  return github.api;
}

/** POST /repos/{owner}/{repo}/check-runs */
export function nockCreateCheckRun(
  github: GithubFake,
  repo: string,
  body: object,
  checkRunId: number,
): nock.Scope {
  return github.api
    .post(`/repos/${repo}/check-runs`, wireBody(body))
    .reply(201, { id: checkRunId });
}

/** PATCH /repos/{owner}/{repo}/check-runs/{check_run_id} */
export function nockUpdateCheckRun(
  github: GithubFake,
  repo: string,
  checkRunId: number,
  body: object,
): nock.Scope {
  return github.api
    .patch(`/repos/${repo}/check-runs/${checkRunId}`, wireBody(body))
    .reply(200, { id: checkRunId });
}

/** POST /repos/{owner}/{repo}/issues/{issue_number}/comments */
export function nockCreateComment(
  github: GithubFake,
  repo: string,
  issueNumber: number,
  body: string,
  commentId: number,
): nock.Scope {
  return github.api
    .post(`/repos/${repo}/issues/${issueNumber}/comments`, { body })
    .reply(201, { id: commentId, body });
}

/** PATCH /repos/{owner}/{repo}/issues/comments/{comment_id} */
export function nockUpdateComment(
  github: GithubFake,
  repo: string,
  commentId: number,
  body: string,
): nock.Scope {
  return github.api
    .patch(`/repos/${repo}/issues/comments/${commentId}`, { body })
    .reply(200, { id: commentId, body });
}

/** POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions */
export function nockCreateReaction(
  github: GithubFake,
  repo: string,
  commentId: number,
  content: string,
): nock.Scope {
  return github.api
    .post(`/repos/${repo}/issues/comments/${commentId}/reactions`, { content })
    .reply(201, { id: 1, content });
}

/** POST /repos/{owner}/{repo}/deployments; 201 with the deployment, or 202 with a message. */
export function nockCreateDeployment(
  github: GithubFake,
  repo: string,
  body: object,
  reply: { status: 201; id: number } | { status: 202; message: string },
): nock.Scope {
  const interceptor = github.api.post(`/repos/${repo}/deployments`, wireBody(body));
  return reply.status === 201
    ? interceptor.reply(201, { id: reply.id })
    : interceptor.reply(202, { message: reply.message });
}

/** POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses */
export function nockCreateDeploymentStatus(
  github: GithubFake,
  repo: string,
  deploymentId: number,
  body: object,
): nock.Scope {
  return github.api
    .post(`/repos/${repo}/deployments/${deploymentId}/statuses`, wireBody(body))
    .reply(201, { id: 1 });
}

/**
 * GET /repos/{owner}/{repo}/tarball/{ref}: as on github.com, a redirect to codeload, which serves
 * the archive.
 */
export function nockDownloadTarball(
  github: GithubFake,
  repo: string,
  ref: string,
  archive: Buffer,
): nock.Scope {
  const codeload = "https://codeload.github.com";
  const path = `/${repo}/legacy.tar.gz/${ref}`;
  github.api
    .get(`/repos/${repo}/tarball/${ref}`)
    .reply(302, "", { location: `${codeload}${path}` });
  return nock(codeload).get(path).reply(200, archive, { "content-type": "application/x-gzip" });
}

/*
 * A user signing in to the run pages (the App's user authorization flow), and what GitHub tells
 * Bosun with that user's token.
 */

/** POST {web}/login/oauth/access_token: the code exchange, on GitHub's web host (not the API). */
export function nockExchangeOAuthCode(
  webUrl: string,
  request: { clientId: string; clientSecret: string; code: string; redirectUri: string },
  reply: { token: string } | { error: "bad_verification_code" },
): nock.Scope {
  return nock(webUrl)
    .post("/login/oauth/access_token", {
      client_id: request.clientId,
      client_secret: request.clientSecret,
      code: request.code,
      redirect_uri: request.redirectUri,
    })
    .matchHeader("accept", "application/json")
    .reply(
      200,
      "token" in reply
        ? { access_token: reply.token, token_type: "bearer", scope: "" }
        : { error: reply.error, error_description: "The code passed is incorrect or expired." },
    );
}

/** GET /user with the user's token. */
export function nockGetAuthenticatedUser(
  github: GithubFake,
  token: string,
  login: string,
): nock.Scope {
  return github.api
    .get("/user")
    .matchHeader("authorization", `token ${token}`)
    .reply(200, { login, id: 1, type: "User" });
}

/** GET /repos/{owner}/{repo} with the user's token: 200 when they can read it, 404 when not. */
export function nockGetRepositoryAsUser(
  github: GithubFake,
  repo: string,
  token: string,
  reply: { status: 200 | 404 },
): nock.Scope {
  const interceptor = github.api
    .get(`/repos/${repo}`)
    .matchHeader("authorization", `token ${token}`);
  return reply.status === 200
    ? interceptor.reply(200, { full_name: repo, private: true })
    : interceptor.reply(404, { message: "Not Found" });
}

/**
 * GET /app/hook/deliveries, newest first, one page per element of `pages`; every page but the
 * last links to the next with a `cursor`, as GitHub does.
 */
export function nockListAppHookDeliveries(
  github: GithubFake,
  pages: readonly (readonly Record<string, unknown>[])[],
): nock.Scope {
  pages.forEach((items, index) => {
    const next =
      index + 1 < pages.length
        ? {
            link: `<${github.baseUrl}/app/hook/deliveries?per_page=100&cursor=page${index + 1}>; rel="next"`,
          }
        : undefined;
    github.api
      .get("/app/hook/deliveries")
      .query(index === 0 ? { per_page: "100" } : { per_page: "100", cursor: `page${index}` })
      .reply(200, items as Record<string, unknown>[], next);
  });
  return github.api;
}

/** POST /app/hook/deliveries/{delivery_id}/attempts: GitHub accepts the redelivery (202). */
export function nockRedeliverAppHookDelivery(
  github: GithubFake,
  deliveryId: number,
  status: 202 | 422 = 202,
): nock.Scope {
  return github.api
    .post(`/app/hook/deliveries/${deliveryId}/attempts`)
    .reply(status, status === 202 ? {} : { message: "Validation Failed" });
}
