import nock from "nock";

/**
 * The one place tests intercept GitHub. Real network is off while a fake is active; every
 * interceptor a test declares must be used (`done()`), and a request nothing expects fails the
 * handler that made it.
 */
export interface GithubFake {
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
