import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { parseRuntimeConfig } from "../../config/runtime-config.js";
import { TRIGGER_KINDS } from "../../domain/run-kind.js";
import type { RepositorySummary, StackDetail } from "../../services/run-page-port.js";
import { formToken, isFormToken } from "./form-token.js";
import { readableRepository } from "./readable-repository.js";
import { RUNS_TABLE_SCRIPT } from "./render-runs-table.js";
import { renderStackPage, type PostedTrigger } from "./render-stack-page.js";
import type { RunPageDeps, RunPageEnv } from "./run-page-deps.js";
import type { RunPageResponses } from "./run-page-responses.js";
import { RunsQuery } from "./runs-query.js";

/** The Trigger form's fields; the runtime config's own size limit is parseRuntimeConfig's. */
const TriggerForm = z.object({
  environment: z.string().min(1).max(200),
  kind: z.enum(TRIGGER_KINDS),
  runtime_config: z.string().default(""),
  confirm: z.string().optional(),
});

/** What the Trigger menu's CSRF token is bound to: who, which repository, which stack. */
const triggerTokenParts = (login: string, repositoryId: number, stack: string) => [
  "trigger",
  login,
  String(repositoryId),
  stack,
];

/**
 * A stack's page (its environments, what is deployed, the last run, drift, and its runs) and the
 * Trigger menu's POST, which starts a run of the stack in one environment for a signed-in writer
 * (docs/design.md "Runs without a pull request").
 */
export function addStackRoutes(
  app: Hono<RunPageEnv>,
  deps: RunPageDeps,
  { page, refuse, forbidden }: RunPageResponses,
): void {
  /** The Trigger menu's token for a signed-in writer; undefined for anyone else. */
  const triggerToken = async (
    c: Context<RunPageEnv>,
    repository: RepositorySummary,
    stack: string,
  ): Promise<string | undefined> => {
    const session = c.get("session");
    if (!deps.actions || !session.user) return undefined;
    const writer = await deps.access
      .canWriteRepository(session, repository)
      .catch((error: unknown) => {
        // The page still serves its reader; only the Trigger menu is left out.
        deps.log.warn(
          { err: error, repo: repository.fullName },
          "could not check write permission",
        );
        return false;
      });
    return writer
      ? formToken(deps.keys.formKey, triggerTokenParts(session.user.login, repository.id, stack))
      : undefined;
  };

  const stackPage = async (
    c: Context<RunPageEnv>,
    repository: RepositorySummary,
    stack: StackDetail,
    posted?: PostedTrigger,
    status: ContentfulStatusCode = 200,
  ) => {
    const query = RunsQuery.parse(c.req.query());
    const result = await deps.store.runs({
      repositoryId: repository.id,
      stack: stack.name,
      triggeredBy: query.triggered_by,
      page: query.page,
      perPage: query.per_page,
    });
    return page(
      c,
      `${stack.name} · ${repository.fullName}`,
      renderStackPage({
        repository,
        stack,
        githubWebUrl: deps.githubWebUrl,
        triggerToken: await triggerToken(c, repository, stack.name),
        posted,
        runs: {
          repository,
          stack: stack.name,
          triggeredBy: query.triggered_by,
          page: query.page,
          perPage: query.per_page,
          result,
          path: `/repos/${repository.fullName}/stacks/${stack.name}`,
        },
      }),
      RUNS_TABLE_SCRIPT,
      status,
    );
  };

  app.get("/repos/:owner/:name/stacks/:stack", async (c) => {
    const repository = await readableRepository(deps, c);
    if (!repository) return refuse(c, "page");
    const stack = await deps.store.stack(repository.id, c.req.param("stack"));
    if (!stack) return refuse(c, "page");
    return stackPage(c, repository, stack);
  });

  app.post("/repos/:owner/:name/stacks/:stack/trigger", async (c) => {
    const session = c.get("session");
    const user = session.user;
    // Asked before anything is looked up: the answer says nothing of what exists.
    if (!user) return forbidden(c, "Triggering a run needs signing in with GitHub.");
    const repository = await readableRepository(deps, c);
    if (!repository || !deps.actions) return refuse(c, "page");
    if (!(await deps.access.canWriteRepository(session, repository))) {
      return forbidden(c, "Triggering a run needs write permission on the repository.");
    }
    const stackName = c.req.param("stack");
    const form = await c.req.parseBody();
    if (
      !isFormToken(
        deps.keys.formKey,
        form.csrf,
        triggerTokenParts(user.login, repository.id, stackName),
      )
    ) {
      return forbidden(
        c,
        "This form has expired or did not come from this stack's page: reload the page and try again.",
      );
    }
    const stack = await deps.store.stack(repository.id, stackName);
    if (!stack) return refuse(c, "page");

    const fields = TriggerForm.safeParse(form);
    if (!fields.success) {
      return stackPage(
        c,
        repository,
        stack,
        {
          environment: typeof form.environment === "string" ? form.environment : "",
          kind: undefined,
          runtimeConfig: typeof form.runtime_config === "string" ? form.runtime_config : "",
          problems: [],
          error: "Choose Plan & apply, Plan only or Destroy for one of the stack's environments.",
        },
        400,
      );
    }
    const { environment, kind, runtime_config: text } = fields.data;
    const posted = (error: string | undefined): PostedTrigger => ({
      environment,
      kind,
      runtimeConfig: text,
      problems: [],
      error,
    });
    if (kind === "destroy" && fields.data.confirm !== "destroy") {
      return stackPage(
        c,
        repository,
        stack,
        posted(`Tick "I mean to destroy ${stack.name}@${environment}" to destroy it.`),
        422,
      );
    }
    const runtimeConfig = parseRuntimeConfig(text);
    if (!runtimeConfig.ok) {
      return stackPage(
        c,
        repository,
        stack,
        { ...posted(undefined), problems: runtimeConfig.problems },
        422,
      );
    }
    const outcome = await deps.actions.trigger({
      installationId: repository.installationId,
      repository,
      stack: stack.name,
      environment,
      kind,
      runtimeConfig:
        Object.keys(runtimeConfig.config).length > 0 ? runtimeConfig.config : undefined,
      actor: { kind: "person", login: user.login },
    });
    if (outcome.kind === "refused") {
      return stackPage(c, repository, stack, posted(outcome.reason), outcome.status);
    }
    return c.redirect(`/runs/${outcome.runId}`, 303);
  });
}
