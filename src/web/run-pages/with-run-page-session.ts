import { randomBytes } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { verifyGrant } from "../../lib/signed-link.js";
import { authenticateApiToken } from "../../services/authenticate-api-token.js";
import type { RunPageDeps, RunPageEnv } from "./run-page-deps.js";
import { readSession, saveSession, SESSION_COOKIE, type Session } from "./session.js";

/**
 * A request to the JSON API with `Authorization: Bearer <token>`: the token's machine user is the
 * whole session (cookies and signed links are not looked at), or the request is refused saying
 * why, without repeating the token.
 */
async function apiTokenSession(
  deps: RunPageDeps,
  authorization: string,
  nowMs: number,
): Promise<Session | { error: string }> {
  const bearer = /^Bearer +(\S+) *$/i.exec(authorization);
  if (!bearer) return { error: "the Authorization header must be Bearer <token>" };
  const outcome = await authenticateApiToken(deps.tokens, bearer[1]!, new Date(nowMs));
  if (outcome.kind === "invalid") return { error: outcome.reason };
  return { grants: [], grantTokens: [], user: undefined, apiToken: outcome.token };
}

/**
 * The session of the cookie, with the grant of a signed link's `?token=` added to it; a page
 * opened with one is redirected to its address without the token.
 */
function withCookieSession(
  c: Context<RunPageEnv>,
  deps: RunPageDeps,
  nowMs: number,
): Response | undefined {
  let session = readSession(deps.keys, getCookie(c, SESSION_COOKIE), nowMs);
  const token = c.req.query("token");
  const grant = token ? verifyGrant(deps.keys.linkKey, token, nowMs) : undefined;
  if (token && grant) {
    session = {
      ...session,
      grants: [...session.grants, grant],
      grantTokens: [...session.grantTokens, token],
    };
    saveSession(c, deps.keys, session, { nowMs, secure: deps.secureCookies });
  }
  c.set("session", session);
  if (grant && c.req.method === "GET" && !c.req.path.startsWith("/api/")) {
    // The token leaves the address bar (and history) once the cookie holds it.
    const url = new URL(c.req.url);
    url.searchParams.delete("token");
    return c.redirect(`${url.pathname}${url.search}`, 303);
  }
  return undefined;
}

/**
 * Reads the session (a bearer API token on /api/*, else the cookie and a signed link's grant),
 * and sets the headers every run page answers with: no caching, no framing, and a CSP that runs
 * only the page's own nonce-bearing script.
 */
export function withRunPageSession(
  deps: RunPageDeps,
  now: () => number,
): MiddlewareHandler<RunPageEnv> {
  return async (c, next) => {
    const nonce = randomBytes(16).toString("base64");
    c.set("nonce", nonce);
    const authorization = c.req.header("authorization");
    if (authorization !== undefined && c.req.path.startsWith("/api/")) {
      const caller = await apiTokenSession(deps, authorization, now());
      if ("error" in caller) {
        c.header("WWW-Authenticate", 'Bearer realm="bosun", error="invalid_token"');
        return c.json({ error: caller.error }, 401);
      }
      c.set("session", caller);
    } else {
      const redirect = withCookieSession(c, deps, now());
      if (redirect) return redirect;
    }
    await next();
    c.header("Cache-Control", "no-store");
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Frame-Options", "DENY");
    c.header(
      "Content-Security-Policy",
      `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; form-action 'self' ${deps.githubWebUrl}; frame-ancestors 'none'; base-uri 'none'`,
    );
  };
}
