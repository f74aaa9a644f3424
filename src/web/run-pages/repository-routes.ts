import type { Context, Hono } from "hono";
import { z } from "zod";
import { renderComponentPage } from "./render-component-page.js";
import { renderRunsTable, RUNS_TABLE_SCRIPT } from "./render-runs-table.js";
import { renderStacksPage } from "./render-stacks-page.js";
import { readableRepository as readable } from "./readable-repository.js";
import type { RunPageDeps, RunPageEnv } from "./run-page-deps.js";
import type { RunPageResponses } from "./run-page-responses.js";
import { RunsQuery } from "./runs-query.js";

const ComponentId = z.uuid();

/**
 * What reading a repository shows: its stacks, its runs (all, or one stack's; as a page and as
 * JSON) and a component's revisions.
 */
export function addRepositoryRoutes(
  app: Hono<RunPageEnv>,
  deps: RunPageDeps,
  { page, refuse }: RunPageResponses,
): void {
  const readableRepository = (c: Context<RunPageEnv>) => readable(deps, c);

  app.get("/repos/:owner/:name", async (c) => {
    const repository = await readableRepository(c);
    if (!repository) return refuse(c, "page");
    const session = c.get("session");
    const admin =
      session.user !== undefined &&
      (await deps.access.canAdministerRepository(session, repository).catch((error: unknown) => {
        // The page still serves its reader; only the API tokens link is left out.
        deps.log.warn(
          { err: error, repo: repository.fullName },
          "could not check admin permission",
        );
        return false;
      }));
    return page(
      c,
      repository.fullName,
      renderStacksPage(repository, await deps.store.stacks(repository.id), { admin }),
    );
  });

  const runsTable = async (c: Context<RunPageEnv>, stack: string | undefined) => {
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

  const readableComponent = async (c: Context<RunPageEnv>) => {
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
}
