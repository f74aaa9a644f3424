import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Logger } from "pino";
import type { GithubUserAuth } from "../../services/github-user-port.js";
import {
  readSession,
  saveSession,
  SESSION_COOKIE,
  USER_SESSION_SECONDS,
  type SessionKeys,
} from "./session.js";

const STATE_COOKIE = "bosun_oauth_state";
const STATE_SECONDS = 600;

/** Only a path on this site: never `//elsewhere` or a full URL (an open redirect). */
function safeReturnPath(path: string | undefined): string {
  return path && /^\/(?![/\\])[^\s]*$/.test(path) ? path : "/";
}

/**
 * GitHub sign-in for the run pages (the App's user authorization flow): `/auth/github/login`
 * sends the browser to GitHub with a `state` that is signed and bound to a short-lived cookie;
 * `/auth/github/callback` checks both, exchanges the code for the user's token and keeps the user
 * in the sealed session cookie.
 */
export function signInRoutes(deps: {
  users: GithubUserAuth;
  keys: SessionKeys;
  publicUrl: string;
  secureCookies: boolean;
  log: Logger;
  now?: () => number;
}): Hono {
  const app = new Hono();
  const now = deps.now ?? Date.now;
  const redirectUri = `${deps.publicUrl}/auth/github/callback`;
  const sign = (nonce: string, returnTo: string) =>
    createHmac("sha256", deps.keys.formKey)
      .update(`oauth-state\n${nonce}\n${returnTo}`)
      .digest("base64url");

  app.get("/auth/github/login", (c) => {
    const returnTo = safeReturnPath(c.req.query("return_to"));
    const nonce = randomBytes(18).toString("base64url");
    setCookie(c, STATE_COOKIE, nonce, {
      httpOnly: true,
      sameSite: "Lax",
      secure: deps.secureCookies,
      path: "/auth/github",
      maxAge: STATE_SECONDS,
    });
    const state = `${nonce}.${Buffer.from(returnTo, "utf8").toString("base64url")}.${sign(nonce, returnTo)}`;
    return c.redirect(deps.users.authorizeUrl({ state, redirectUri }), 302);
  });

  app.get("/auth/github/callback", async (c) => {
    const [nonce = "", encodedReturn = "", mac = ""] = (c.req.query("state") ?? "").split(".");
    const returnTo = safeReturnPath(Buffer.from(encodedReturn, "base64url").toString("utf8"));
    const expected = Buffer.from(sign(nonce, returnTo));
    const given = Buffer.from(mac);
    const cookieNonce = getCookie(c, STATE_COOKIE);
    deleteCookie(c, STATE_COOKIE, { path: "/auth/github" });
    const code = c.req.query("code");
    if (
      !code ||
      !nonce ||
      cookieNonce !== nonce ||
      given.length !== expected.length ||
      !timingSafeEqual(given, expected)
    ) {
      return c.text("Sign-in failed: the request did not come from this browser's sign-in.", 400);
    }
    const token = await deps.users.exchangeCode({ code, redirectUri });
    if (!token) return c.text("Sign-in failed: GitHub refused the code; try again.", 400);
    const login = await deps.users.login(token);
    const session = readSession(deps.keys, getCookie(c, SESSION_COOKIE), now());
    saveSession(
      c,
      deps.keys,
      {
        ...session,
        user: { login, token, expiresAt: Math.floor(now() / 1000) + USER_SESSION_SECONDS },
      },
      { nowMs: now(), secure: deps.secureCookies },
    );
    deps.log.info({ user: login }, "signed in to the run pages");
    return c.redirect(returnTo, 303);
  });

  return app;
}
