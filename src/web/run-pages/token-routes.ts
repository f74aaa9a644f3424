import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { createApiToken } from "../../services/create-api-token.js";
import {
  listRepositoryApiTokens,
  type StandingOf,
} from "../../services/list-repository-api-tokens.js";
import { revokeRepositoryApiToken } from "../../services/revoke-repository-api-token.js";
import type { RepositorySummary } from "../../services/run-page-port.js";
import { formToken, isFormToken } from "./form-token.js";
import { readableRepository } from "./readable-repository.js";
import {
  CREATED_TOKEN_SCRIPT,
  renderCreatedTokenPage,
  renderTokensPage,
  type PostedTokenForm,
} from "./render-tokens-page.js";
import type { RunPageDeps, RunPageEnv } from "./run-page-deps.js";
import type { RunPageResponses } from "./run-page-responses.js";
import type { Session, SessionUser } from "./session.js";

/** The New token form; the name and scope are checked by createApiToken, as for the CLI. */
const CreateTokenForm = z.object({ name: z.string().default(""), scope: z.string().default("") });
const TokenId = z.uuid();

/** What a tokens page's CSRF tokens are bound to: the form, who, the repository (and the token). */
const createParts = (login: string, repositoryId: number) => [
  "create-api-token",
  login,
  String(repositoryId),
];
const revokeParts = (login: string, repositoryId: number, tokenId: string) => [
  "revoke-api-token",
  login,
  String(repositoryId),
  tokenId,
];

/**
 * A repository's API tokens for its admins (docs/design.md "Runs without a pull request": tokens
 * are created by an admin on the pages or with `bosun tokens create`): the list, New token (shown
 * once) and Revoke. Anyone else is refused as the stack page's Trigger menu refuses: 401 or 404 to
 * who cannot read the repository, 403 saying what is missing to who can.
 */
export function addTokenRoutes(
  app: Hono<RunPageEnv>,
  deps: RunPageDeps,
  { page, refuse, forbidden }: RunPageResponses,
): void {
  const now = deps.now ?? Date.now;

  /** The path's repository and the signed-in admin, or the answer refusing them. */
  const administered = async (
    c: Context<RunPageEnv>,
  ): Promise<{ repository: RepositorySummary; user: SessionUser } | Response> => {
    const session = c.get("session");
    const user = session.user;
    if (!user) {
      // Asked before anything is looked up: the answer says nothing of what exists.
      return session.grants.length === 0
        ? refuse(c, "page")
        : forbidden(c, "Managing API tokens needs signing in with GitHub.");
    }
    const repository = await readableRepository(deps, c);
    if (!repository) return refuse(c, "page");
    if (!(await deps.access.canAdministerRepository(session, repository))) {
      return forbidden(c, "Managing a repository's API tokens needs admin permission on it.");
    }
    return { repository, user };
  };

  /**
   * How the viewer stands on another repository a token covers. One GitHub cannot answer about
   * counts as one they cannot see: its name stays hidden and the token stays unrevoked.
   */
  const standingOf =
    (session: Session): StandingOf =>
    async (fullName) => {
      const repository = await deps.store.repositoryByName(fullName);
      if (!repository) return "none";
      try {
        if (!(await deps.access.canReadRepository(session, repository))) return "none";
        return (await deps.access.canAdministerRepository(session, repository))
          ? "admin"
          : "reader";
      } catch (error) {
        deps.log.warn({ err: error, repo: fullName }, "could not check a token's repository");
        return "none";
      }
    };

  const tokensPage = async (
    c: Context<RunPageEnv>,
    { repository, user }: { repository: RepositorySummary; user: SessionUser },
    posted?: PostedTokenForm,
    status: ContentfulStatusCode = 200,
  ) =>
    page(
      c,
      `API tokens · ${repository.fullName}`,
      renderTokensPage({
        repository,
        tokens: await listRepositoryApiTokens(deps.tokens, {
          repository: repository.fullName,
          standingOf: standingOf(c.get("session")),
        }),
        createCsrf: formToken(deps.keys.formKey, createParts(user.login, repository.id)),
        revokeCsrf: (tokenId) =>
          formToken(deps.keys.formKey, revokeParts(user.login, repository.id, tokenId)),
        posted,
      }),
      undefined,
      status,
    );

  const expired = (c: Context<RunPageEnv>) =>
    forbidden(
      c,
      "This form has expired or did not come from this repository's API tokens page: reload the page and try again.",
    );

  app.get("/repos/:owner/:name/tokens", async (c) => {
    const admin = await administered(c);
    if (admin instanceof Response) return admin;
    return tokensPage(c, admin);
  });

  app.post("/repos/:owner/:name/tokens", async (c) => {
    const admin = await administered(c);
    if (admin instanceof Response) return admin;
    const { repository, user } = admin;
    const form = await c.req.parseBody();
    if (!isFormToken(deps.keys.formKey, form.csrf, createParts(user.login, repository.id))) {
      return expired(c);
    }
    const fields = CreateTokenForm.safeParse(form);
    const { name, scope } = fields.success ? fields.data : { name: "", scope: "" };
    const outcome = await createApiToken(deps.tokens, {
      name,
      scope,
      repositories: [repository.fullName],
      createdBy: `${user.login} (via the pages)`,
    });
    if (outcome.kind === "refused") {
      return tokensPage(c, admin, { error: outcome.reason, name, scope }, 422);
    }
    deps.log.info(
      { repo: repository.fullName, tokenId: outcome.id, scope: outcome.scope, actor: user.login },
      "API token created on the pages",
    );
    return page(
      c,
      `Token ${name} · ${repository.fullName}`,
      renderCreatedTokenPage({ repository, name, scope: outcome.scope, token: outcome.token }),
      CREATED_TOKEN_SCRIPT,
      201,
    );
  });

  app.post("/repos/:owner/:name/tokens/:id/revoke", async (c) => {
    const admin = await administered(c);
    if (admin instanceof Response) return admin;
    const { repository, user } = admin;
    const tokenId = TokenId.safeParse(c.req.param("id"));
    if (!tokenId.success) return refuse(c, "page");
    const form = await c.req.parseBody();
    if (
      !isFormToken(
        deps.keys.formKey,
        form.csrf,
        revokeParts(user.login, repository.id, tokenId.data),
      )
    ) {
      return expired(c);
    }
    const outcome = await revokeRepositoryApiToken(deps.tokens, {
      repository: repository.fullName,
      tokenId: tokenId.data,
      standingOf: standingOf(c.get("session")),
      now: new Date(now()),
    });
    if (outcome.kind === "refused") {
      return tokensPage(c, admin, { error: outcome.reason }, outcome.status);
    }
    deps.log.info(
      { repo: repository.fullName, tokenId: tokenId.data, actor: user.login },
      "API token revoked on the pages",
    );
    return c.redirect(`/repos/${repository.fullName}/tokens`, 303);
  });
}
