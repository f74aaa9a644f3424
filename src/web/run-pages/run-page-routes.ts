import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { Logger } from "pino";
import { z } from "zod";
import { verifyGrant } from "../../lib/signed-link.js";
import type { RunDetail, RunPageStore, RepositorySummary } from "../../services/run-page-port.js";
import type { RunPageAccess } from "./access.js";
import { html, type SafeHtml } from "./html.js";
import { layout } from "./render-layout.js";
import { renderComponentPage } from "./render-component-page.js";
import { renderRunSection } from "./render-run-page.js";
import { RUN_PAGE_SCRIPT } from "./run-page-script.js";
import { PAGE_SIZES, renderRunsTable, RUNS_TABLE_SCRIPT } from "./render-runs-table.js";
import { renderStacksPage } from "./render-stacks-page.js";
import {
  readSession,
  saveSession,
  SESSION_COOKIE,
  type Session,
  type SessionKeys,
} from "./session.js";

/** Queues a new run repeating `runId` (docs/design.md invariant 1), or says why not. */
export type RerunRun = (input: {
  runId: string;
  actor: string;
}) => Promise<{ kind: "queued"; runIds: string[] } | { kind: "refused"; reason: string }>;

export interface RunPageDeps {
  store: RunPageStore;
  access: RunPageAccess;
  keys: SessionKeys;
  /** GitHub's web address, for links to commits and pull requests. */
  githubWebUrl: string;
  /** Whether GitHub sign-in is configured (GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET). */
  signIn: boolean;
  /** Cookies get `Secure` when the public URL is https. */
  secureCookies: boolean;
  rerun: RerunRun | undefined;
  log: Logger;
  now?: () => number;
}

type Env = { Variables: { session: Session; nonce: string } };

const RunId = z.uuid();
const ComponentId = z.uuid();
const RunsQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  per_page: z.coerce
    .number()
    .int()
    .refine((size) => (PAGE_SIZES as readonly number[]).includes(size))
    .catch(25),
  triggered_by: z
    .string()
    .max(100)
    .optional()
    .transform((value) => (value ? value : undefined)),
  stack: z.string().max(200).optional(),
});

/**
 * The run pages and their JSON API. Every route answers 401 to a request that carries no
 * credential at all and 404 to one whose credential does not cover what it asks for, or when that
 * does not exist: a refusal never tells whether a run exists.
 */
export function runPageRoutes(deps: RunPageDeps): Hono<Env> {
  const app = new Hono<Env>();
  const now = deps.now ?? Date.now;

  const withSession: MiddlewareHandler<Env> = async (c, next) => {
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
  // Only the run pages' own paths: the health, state and webhook routes share the server.
  for (const prefix of [
    "/runs",
    "/repos",
    "/components",
    "/api/runs",
    "/api/repos",
    "/api/components",
  ]) {
    app.use(`${prefix}/*`, withSession);
  }

  const page = (c: Context<Env>, title: string, body: SafeHtml, script?: string) =>
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
    );

  const signInUrl = (c: Context<Env>) =>
    deps.signIn
      ? `/auth/github/login?return_to=${encodeURIComponent(new URL(c.req.url).pathname)}`
      : undefined;

  /** 401 without any credential, 404 otherwise: the same whether or not the thing exists. */
  const refuse = (c: Context<Env>, kind: "page" | "api") => {
    const session = c.get("session");
    const anonymous = session.grants.length === 0 && !session.user;
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

  const readableRun = async (c: Context<Env>): Promise<RunDetail | undefined> => {
    const id = RunId.safeParse(c.req.param("id"));
    if (!id.success) return undefined;
    const run = await deps.store.run(id.data);
    if (!run) return undefined;
    return (await deps.access.canReadRun(c.get("session"), run)) ? run : undefined;
  };

  const readableRepository = async (c: Context<Env>): Promise<RepositorySummary | undefined> => {
    const fullName = `${c.req.param("owner") ?? ""}/${c.req.param("name") ?? ""}`;
    const repository = await deps.store.repositoryByName(fullName);
    if (!repository) return undefined;
    return (await deps.access.canReadRepository(c.get("session"), repository))
      ? repository
      : undefined;
  };

  const rerunToken = (login: string, runId: string) =>
    createHmac("sha256", deps.keys.formKey).update(`rerun\n${login}\n${runId}`).digest("base64url");

  const runOptions = async (c: Context<Env>, run: RunDetail) => {
    const session = c.get("session");
    const writer =
      deps.rerun !== undefined &&
      session.user !== undefined &&
      (await deps.access.canWriteRepository(session, run.repository).catch((error: unknown) => {
        // The page still serves its reader; only the Re-run button is left out.
        deps.log.warn({ err: error, runId: run.id }, "could not check write permission");
        return false;
      }));
    return {
      githubWebUrl: deps.githubWebUrl,
      rerunToken: writer && session.user ? rerunToken(session.user.login, run.id) : undefined,
      repositoryReadable: await deps.access.canReadRepository(session, run.repository),
      now: new Date(now()),
    };
  };

  app.get("/runs/:id", async (c) => {
    const run = await readableRun(c);
    if (!run) return refuse(c, "page");
    const options = await runOptions(c, run);
    const repo = run.repository.fullName;
    const crumbs = options.repositoryReadable
      ? html`<nav class="crumbs">
          <a href="/repos/${repo}">${repo}</a> › <a href="/repos/${repo}/runs">runs</a> ›
          ${run.id.slice(0, 8)}
        </nav>`
      : html`<nav class="crumbs">${repo} › runs › ${run.id.slice(0, 8)}</nav>`;
    return page(
      c,
      `Run ${run.id.slice(0, 8)} · ${repo}`,
      html`${crumbs}${renderRunSection(run, options)}`,
      RUN_PAGE_SCRIPT,
    );
  });

  app.get("/runs/:id/section", async (c) => {
    const run = await readableRun(c);
    if (!run) return refuse(c, "api");
    return c.html(renderRunSection(run, await runOptions(c, run)).value);
  });

  app.post("/runs/:id/rerun", async (c) => {
    const run = await readableRun(c);
    const user = c.get("session").user;
    if (!run || !user || !deps.rerun) return refuse(c, "api");
    const form = await c.req.parseBody();
    const given = Buffer.from(typeof form.csrf === "string" ? form.csrf : "", "utf8");
    const expected = Buffer.from(rerunToken(user.login, run.id), "utf8");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return c.json({ error: "the form expired; reload the page and try again" }, 403);
    }
    if (!(await deps.access.canWriteRepository(c.get("session"), run.repository))) {
      return c.json({ error: "re-running needs write permission on the repository" }, 403);
    }
    const outcome = await deps.rerun({ runId: run.id, actor: user.login });
    if (outcome.kind === "refused") return c.json({ error: outcome.reason }, 409);
    deps.log.info({ runId: run.id, actor: user.login, runIds: outcome.runIds }, "re-run queued");
    return c.redirect(outcome.runIds[0] ? `/runs/${outcome.runIds[0]}` : `/runs/${run.id}`, 303);
  });

  app.get("/api/runs/:id", async (c) => {
    const run = await readableRun(c);
    if (!run) return refuse(c, "api");
    return c.json(run);
  });

  app.get("/api/runs/:id/logs", async (c) => {
    const run = await readableRun(c);
    if (!run) return refuse(c, "api");
    const phases = run.components.flatMap((component) => component.phases);
    const wanted = c.req.query("phase");
    const chosen = wanted ? phases.filter((phase) => phase.id === wanted) : phases;
    if (wanted && chosen.length === 0) return refuse(c, "api");
    const parts: string[] = [];
    for (const phase of chosen) {
      const log = await deps.store.phaseLog(run.id, phase.id);
      if (!log) continue;
      const text = log.lines.map((line) => `${line.line}\n`).join("");
      parts.push(wanted ? text : `=== ${log.stack} · ${log.phase} ===\n${text}`);
    }
    const name = wanted
      ? `bosun-${run.id.slice(0, 8)}-${chosen[0]!.phase.toLowerCase()}.log`
      : `bosun-${run.id.slice(0, 8)}.log`;
    c.header("Content-Type", "text/plain; charset=utf-8");
    if (c.req.query("download") !== undefined) {
      c.header("Content-Disposition", `attachment; filename="${name}"`);
    }
    return c.body(parts.join("\n"));
  });

  app.get("/repos/:owner/:name", async (c) => {
    const repository = await readableRepository(c);
    if (!repository) return refuse(c, "page");
    return page(
      c,
      repository.fullName,
      renderStacksPage(repository, await deps.store.stacks(repository.id)),
    );
  });

  const runsTable = async (c: Context<Env>, stack: string | undefined) => {
    const repository = await readableRepository(c);
    if (!repository) return refuse(c, "page");
    const query = RunsQuery.parse(c.req.query());
    const result = await deps.store.runs({
      repositoryId: repository.id,
      stack,
      triggeredBy: query.triggered_by,
      page: query.page,
      perPage: query.per_page,
    });
    return page(
      c,
      `Runs · ${repository.fullName}`,
      renderRunsTable({
        repository,
        stack,
        triggeredBy: query.triggered_by,
        page: query.page,
        perPage: query.per_page,
        result,
        path: new URL(c.req.url).pathname,
      }),
      RUNS_TABLE_SCRIPT,
    );
  };
  app.get("/repos/:owner/:name/runs", (c) => runsTable(c, undefined));
  app.get("/repos/:owner/:name/stacks/:stack/runs", (c) => runsTable(c, c.req.param("stack")));

  app.get("/api/repos/:owner/:name/runs", async (c) => {
    const repository = await readableRepository(c);
    if (!repository) return refuse(c, "api");
    const query = RunsQuery.parse(c.req.query());
    const result = await deps.store.runs({
      repositoryId: repository.id,
      stack: query.stack,
      triggeredBy: query.triggered_by,
      page: query.page,
      perPage: query.per_page,
    });
    return c.json({ ...result, page: query.page, perPage: query.per_page });
  });

  const readableComponent = async (c: Context<Env>) => {
    const id = ComponentId.safeParse(c.req.param("id"));
    if (!id.success) return undefined;
    const component = await deps.store.component(id.data);
    if (!component) return undefined;
    return (await deps.access.canReadRepository(c.get("session"), component.repository))
      ? component
      : undefined;
  };

  app.get("/components/:id", async (c) => {
    const component = await readableComponent(c);
    if (!component) return refuse(c, "page");
    return page(c, `${component.stack}@${component.environment}`, renderComponentPage(component));
  });

  app.get("/api/components/:id/revisions", async (c) => {
    const component = await readableComponent(c);
    if (!component) return refuse(c, "api");
    return c.json(component);
  });

  return app;
}
