import { randomBytes } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { verifyGrant } from "../../lib/signed-link.js";
import type { RunPageDeps, RunPageEnv } from "./run-page-deps.js";
import { readSession, saveSession, SESSION_COOKIE } from "./session.js";

/**
 * Reads the session cookie, adds the grant of a signed link's `?token=` to it (then redirects a
 * page to the same address without the token), and sets the headers every run page answers with:
 * no caching, no framing, and a CSP that runs only the page's own nonce-bearing script.
 */
export function withRunPageSession(
  deps: RunPageDeps,
  now: () => number,
): MiddlewareHandler<RunPageEnv> {
  return async (c, next) => {
    const nonce = randomBytes(16).toString("base64");
    c.set("nonce", nonce);
    let session = readSession(deps.keys, getCookie(c, SESSION_COOKIE), now());
    const token = c.req.query("token");
    const grant = token ? verifyGrant(deps.keys.linkKey, token, now()) : undefined;
    if (token && grant) {
      session = {
        ...session,
        grants: [...session.grants, grant],
        grantTokens: [...session.grantTokens, token],
      };
      saveSession(c, deps.keys, session, { nowMs: now(), secure: deps.secureCookies });
    }
    c.set("session", session);
    if (grant && c.req.method === "GET" && !c.req.path.startsWith("/api/")) {
      // The token leaves the address bar (and history) once the cookie holds it.
      const url = new URL(c.req.url);
      url.searchParams.delete("token");
      return c.redirect(`${url.pathname}${url.search}`, 303);
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
