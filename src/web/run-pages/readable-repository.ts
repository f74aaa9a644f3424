import type { Context } from "hono";
import type { RepositorySummary } from "../../services/run-page-port.js";
import type { RunPageDeps, RunPageEnv } from "./run-page-deps.js";

/** The repository a `/repos/:owner/:name/…` request names, when its session may read it. */
export async function readableRepository(
  deps: RunPageDeps,
  c: Context<RunPageEnv>,
): Promise<RepositorySummary | undefined> {
  const fullName = `${c.req.param("owner") ?? ""}/${c.req.param("name") ?? ""}`;
  const repository = await deps.store.repositoryByName(fullName);
  if (!repository) return undefined;
  return (await deps.access.canReadRepository(c.get("session"), repository))
    ? repository
    : undefined;
}
