import { Hono } from "hono";
import { addApiRoutes, API_PREFIXES } from "./api-routes.js";
import { addRepositoryRoutes } from "./repository-routes.js";
import type { RunPageDeps, RunPageEnv } from "./run-page-deps.js";
import { createRunPageResponses } from "./run-page-responses.js";
import { addRunRoutes } from "./run-routes.js";
import { addStackRoutes } from "./stack-routes.js";
import { addTokenRoutes } from "./token-routes.js";
import { withRunPageSession } from "./with-run-page-session.js";

/**
 * The run pages and their JSON API (for a session, a signed link or an API token). Every route
 * answers 401 to a request that carries no
 * credential at all and 404 to one whose credential does not cover what it asks for, or when that
 * does not exist: a refusal never tells whether a run exists.
 */
export function runPageRoutes(deps: RunPageDeps): Hono<RunPageEnv> {
  const app = new Hono<RunPageEnv>();
  const now = deps.now ?? Date.now;

  const withSession = withRunPageSession(deps, now);
  // Only the run pages' own paths: the health, state and webhook routes share the server.
  for (const prefix of ["/runs", "/repos", "/components", ...API_PREFIXES]) {
    app.use(`${prefix}/*`, withSession);
  }

  const responses = createRunPageResponses(deps);
  addRunRoutes(app, deps, responses, now);
  addRepositoryRoutes(app, deps, responses);
  addStackRoutes(app, deps, responses);
  addTokenRoutes(app, deps, responses);
  addApiRoutes(app, deps, responses);
  return app;
}
