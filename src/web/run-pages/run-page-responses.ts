import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { html, type SafeHtml } from "./html.js";
import type { RunPageDeps, RunPageEnv } from "./run-page-deps.js";
import { layout } from "./render-layout.js";

export interface RunPageResponses {
  /** A full page in the run pages' layout, with the viewer's name or a sign-in link. */
  page(
    c: Context<RunPageEnv>,
    title: string,
    body: SafeHtml,
    script?: string,
    status?: ContentfulStatusCode,
  ): Response;
  /** 401 without any credential, 404 otherwise: the same whether or not the thing exists. */
  refuse(c: Context<RunPageEnv>, kind: "page" | "api"): Response;
  /** 403 with what is missing: for someone who may see the page but not do what they asked. */
  forbidden(c: Context<RunPageEnv>, message: string): Response;
}

export function createRunPageResponses(deps: RunPageDeps): RunPageResponses {
  const page = (
    c: Context<RunPageEnv>,
    title: string,
    body: SafeHtml,
    script?: string,
    status: ContentfulStatusCode = 200,
  ) =>
    c.html(
      layout(
        {
          title,
          nonce: c.get("nonce"),
          signedInAs: c.get("session").user?.login,
          signInUrl: signInUrl(c),
          script,
        },
        body,
      ),
      status,
    );

  const signInUrl = (c: Context<RunPageEnv>) =>
    deps.signIn
      ? `/auth/github/login?return_to=${encodeURIComponent(new URL(c.req.url).pathname)}`
      : undefined;

  const refuse = (c: Context<RunPageEnv>, kind: "page" | "api") => {
    const session = c.get("session");
    const anonymous = session.grants.length === 0 && !session.user && !session.apiToken;
    const status = anonymous ? 401 : 404;
    const message = anonymous
      ? "This page needs a link from GitHub (a check run, comment or deployment) or signing in."
      : "Not found, or not visible to you.";
    if (kind === "api") return c.json({ error: message }, status);
    const link = signInUrl(c);
    return c.html(
      layout(
        {
          title: anonymous ? "Sign in" : "Not found",
          nonce: c.get("nonce"),
          signedInAs: session.user?.login,
          signInUrl: link,
        },
        html`<div class="refusal">
          <h1>${anonymous ? "Sign in to see this run" : "Not found"}</h1>
          <p class="muted">${message}</p>
          ${link && !session.user ? html`<p><a class="button" href="${link}">Sign in with GitHub</a></p>` : ""}
        </div>`,
      ),
      status,
    );
  };

  const forbidden = (c: Context<RunPageEnv>, message: string) =>
    page(
      c,
      "Not allowed",
      html`<div class="refusal">
        <h1>Not allowed</h1>
        <p class="muted" id="refusal">${message}</p>
      </div>`,
      undefined,
      403,
    );

  return { page, refuse, forbidden };
}
