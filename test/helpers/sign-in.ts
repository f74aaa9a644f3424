import {
  expectExchangeOAuthCode,
  expectGetAuthenticatedUser,
  type GithubFake,
} from "./github-fake/index.js";

/** The GitHub App's user authorization settings a test Bosun is started with. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/**
 * Signs `login` in to the Bosun at `bosunUrl` (whose BOSUN_PUBLIC_URL is that same address)
 * through GitHub's user authorization, answered by the fake: returns the session cookie as a
 * `Cookie` header value (`bosun_session=…`).
 */
export async function signInWithGithub(
  bosunUrl: string,
  github: GithubFake,
  client: OAuthClient,
  login: string,
  token: string,
): Promise<string> {
  const started = await fetch(`${bosunUrl}/auth/github/login?return_to=/`, { redirect: "manual" });
  const state = new URL(started.headers.get("location")!).searchParams.get("state")!;
  const stateCookie = started.headers.getSetCookie()[0]!.split(";")[0]!;
  const code = `code-${login}`;
  expectExchangeOAuthCode(
    github,
    { ...client, code, redirectUri: `${bosunUrl}/auth/github/callback` },
    { token },
  );
  expectGetAuthenticatedUser(github, token, login);
  const callback = await fetch(
    `${bosunUrl}/auth/github/callback?code=${code}&state=${encodeURIComponent(state)}`,
    { redirect: "manual", headers: { cookie: stateCookie } },
  );
  const session = callback.headers.getSetCookie().find((line) => line.startsWith("bosun_session="));
  if (!session) throw new Error(`signing ${login} in set no session (${callback.status})`);
  return session.split(";")[0]!;
}
