import { Octokit } from "@octokit/rest";
import type { Logger } from "pino";
import { z } from "zod";
import type { GithubSignInConfig } from "../config/load-config.js";
import type { GithubUserAuth } from "../services/github-user-port.js";
import { GithubApiError } from "./github-api-error.js";
import { httpStatusOf } from "./http-status-of.js";

/** GitHub's answer to the code exchange: a token, or an `error` with a 200 status. */
const TokenAnswer = z.union([
  z.object({ access_token: z.string().min(1) }),
  z.object({ error: z.string() }),
]);
const User = z.object({ login: z.string() });

/**
 * The App's user authorization flow
 * (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app),
 * against github.com or the GHE_HOST the operator named. The user's token only ever reads: the
 * user's login, and whether they can see a repository.
 */
export function createGithubUserAuth(
  config: GithubSignInConfig,
  log: Logger,
  /** The HTTPS_PROXY-aware fetch (src/lib/proxy-agent.ts); the global one when undefined. */
  send: typeof fetch = fetch,
): GithubUserAuth {
  // Failures are answers here (404: cannot read) or errors the caller reports: Octokit's own
  // request log stays at debug.
  const quiet = {
    debug: (message: string) => log.debug(message),
    info: (message: string) => log.debug(message),
    warn: (message: string) => log.debug(message),
    error: (message: string) => log.debug(message),
  };
  const client = (token: string) =>
    new Octokit({
      auth: token,
      baseUrl: config.apiUrl,
      userAgent: "bosun-run-pages",
      log: quiet,
      request: { fetch: send },
    });
  return {
    authorizeUrl({ state, redirectUri }) {
      const url = new URL("/login/oauth/authorize", config.webUrl);
      url.searchParams.set("client_id", config.clientId);
      url.searchParams.set("redirect_uri", redirectUri);
      url.searchParams.set("state", state);
      url.searchParams.set("allow_signup", "false");
      return url.toString();
    },

    async exchangeCode({ code, redirectUri }) {
      let answer: unknown;
      try {
        const response = await send(new URL("/login/oauth/access_token", config.webUrl), {
          method: "POST",
          headers: { accept: "application/json", "content-type": "application/json" },
          body: JSON.stringify({
            client_id: config.clientId,
            client_secret: config.clientSecret,
            code,
            redirect_uri: redirectUri,
          }),
        });
        if (!response.ok) throw new Error(`GitHub answered ${response.status}`);
        answer = await response.json();
      } catch (error) {
        throw new GithubApiError("exchanging a GitHub sign-in code", error);
      }
      const parsed = TokenAnswer.safeParse(answer);
      if (!parsed.success) {
        throw new GithubApiError("exchanging a GitHub sign-in code", parsed.error);
      }
      return "access_token" in parsed.data ? parsed.data.access_token : undefined;
    },

    async login(token) {
      try {
        const { data } = await client(token).rest.users.getAuthenticated();
        return User.parse(data).login;
      } catch (error) {
        throw new GithubApiError("reading the signed-in GitHub user", error);
      }
    },

    async canRead(token, repositoryFullName) {
      const [owner = "", repo = ""] = repositoryFullName.split("/");
      try {
        await client(token).rest.repos.get({ owner, repo });
        return true;
      } catch (error) {
        const status = httpStatusOf(error);
        // GitHub hides a repository the user cannot read behind 404 (403 for a revoked token).
        if (status === 404 || status === 403 || status === 401) return false;
        throw new GithubApiError(`checking read access to ${repositoryFullName}`, error);
      }
    },
  };
}
