import type { Context, Hono, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import {
  MAX_RUNTIME_CONFIG_BYTES,
  parseRuntimeConfig,
  type RuntimeConfig,
} from "../../config/runtime-config.js";
import type { ConfigProblem } from "../../config/parse-yaml-config.js";
import { TRIGGER_KINDS, type TriggerKind } from "../../domain/run-kind.js";
import type { RepositorySummary, RunDetail } from "../../services/run-page-port.js";
import { actorName, type TriggerActor } from "../../services/trigger-stack-run.js";
import type { RunPageDeps, RunPageEnv } from "./run-page-deps.js";
import type { RunPageResponses } from "./run-page-responses.js";

const RunId = z.uuid();

/**
 * The body of `POST /api/repos/{owner}/{repo}/stacks/{stack}/runs` (docs/design.md "Runs without a
 * pull request").
 */
const TriggerBody = z.strictObject({
  environment: z.string().min(1).max(200),
  kind: z.enum(TRIGGER_KINDS),
  /** YAML or JSON text, or the object itself. */
  runtime_config: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});

/** A runtime config is at most 64 KiB of text; escaped inside a JSON string it may double. */
const MAX_BODY_BYTES = 2 * MAX_RUNTIME_CONFIG_BYTES + 4096;

/** Where the HTTP API lives; the rest of /api (GitHub's webhooks) is not the API's. */
export const API_PREFIXES = ["/api/runs", "/api/repos", "/api/components"] as const;

/** `application/json` or a `+json` type, with or without parameters. */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * The JSON API's writes: start a run on a stack, and confirm, discard or re-run a run. A signed-in
 * writer or a `trigger` API token may; a `read` token is refused 403, saying so. What the caller
 * may not read is answered 404 (a token for another repository learns nothing of this one), as
 * the reads answer it.
 */
export function addApiRoutes(
  app: Hono<RunPageEnv>,
  deps: RunPageDeps,
  { refuse }: RunPageResponses,
): void {
  // The browser attaches the session cookie to requests other sites make. A cross-site form
  // cannot send JSON, and a cross-site script that tries needs a CORS preflight Bosun never
  // grants; a bearer token is never attached by the browser.
  const contentTypeGuard: MiddlewareHandler<RunPageEnv> = async (c, next) => {
    const { user, grants } = c.get("session");
    if (
      c.req.method === "POST" &&
      (user !== undefined || grants.length > 0) &&
      !JSON_TYPE.test(c.req.header("content-type") ?? "")
    ) {
      return c.json(
        {
          error: "a POST to the API with a session cookie must send Content-Type: application/json",
        },
        415,
      );
    }
    await next();
  };
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: `the body exceeds ${MAX_BODY_BYTES} bytes` }, 413),
  });
  // The API's own paths only: GitHub's webhooks arrive under /api/github on the same server.
  for (const prefix of API_PREFIXES) app.use(`${prefix}/*`, contentTypeGuard, limitBody);

  const readableRun = async (c: Context<RunPageEnv>): Promise<RunDetail | undefined> => {
    const id = RunId.safeParse(c.req.param("id"));
    if (!id.success) return undefined;
    const run = await deps.store.run(id.data);
    if (!run) return undefined;
    return (await deps.access.canReadRun(c.get("session"), run)) ? run : undefined;
  };

  /** Who the write is made as, or the 403 saying why not; the caller has checked it may read. */
  const writer = async (
    c: Context<RunPageEnv>,
    repository: RepositorySummary,
    doing: string,
  ): Promise<TriggerActor | Response> => {
    const session = c.get("session");
    const { apiToken, user } = session;
    if (apiToken) {
      return apiToken.scope === "trigger"
        ? { kind: "token", tokenId: apiToken.id, name: apiToken.name }
        : c.json({ error: `this token's scope is ${apiToken.scope}; ${doing} needs trigger` }, 403);
    }
    if (user && (await deps.access.canWriteRepository(session, repository))) {
      return { kind: "person", login: user.login };
    }
    return c.json(
      {
        error: user
          ? `${doing} needs write permission on ${repository.fullName}`
          : `${doing} needs signing in with GitHub as a writer, or a trigger token`,
      },
      403,
    );
  };

  const unavailable = (c: Context<RunPageEnv>) =>
    c.json({ error: "Bosun runs without its GitHub App here, so it starts nothing" }, 503);

  /** What the API answers about a run it started or acted on. */
  const answerWithRun = async (c: Context<RunPageEnv>, runId: string, status: 200 | 201 | 202) => {
    const url = `${deps.publicUrl}/runs/${runId}`;
    if (status === 201) c.header("Location", url);
    return c.json({ id: runId, url, status: (await deps.store.run(runId))?.status }, status);
  };

  app.post("/api/repos/:owner/:name/stacks/:stack/runs", async (c) => {
    const repository = await deps.store.repositoryByName(
      `${c.req.param("owner")}/${c.req.param("name")}`,
    );
    if (!repository || !(await deps.access.canReadRepository(c.get("session"), repository))) {
      return refuse(c, "api");
    }
    const actor = await writer(c, repository, "starting runs");
    if (actor instanceof Response) return actor;
    const body = await triggerBody(c);
    if (body instanceof Response) return body;
    if (!deps.actions) return unavailable(c);
    const outcome = await deps.actions.trigger({
      installationId: repository.installationId,
      repository,
      stack: c.req.param("stack"),
      environment: body.environment,
      kind: body.kind,
      runtimeConfig: body.runtimeConfig,
      actor,
    });
    if (outcome.kind === "refused") return c.json({ error: outcome.reason }, outcome.status);
    return answerWithRun(c, outcome.runId, 201);
  });

  const runAction = (action: "confirm" | "discard", doing: string, status: 200 | 202) =>
    app.post(`/api/runs/:id/${action}`, async (c) => {
      const run = await readableRun(c);
      if (!run) return refuse(c, "api");
      const actor = await writer(c, run.repository, doing);
      if (actor instanceof Response) return actor;
      if (!deps.actions) return unavailable(c);
      const outcome = await deps.actions[action]({ runId: run.id, actor });
      if (outcome.kind === "refused") {
        return c.json({ error: outcome.reason, refusal: outcome.refusal }, outcome.status);
      }
      deps.log.info({ runId: run.id, actor: actorName(actor), action }, "run action by the API");
      return answerWithRun(c, run.id, status);
    });
  // Confirming queues the apply: 202, and the run's status says how far it got.
  runAction("confirm", "confirming runs", 202);
  runAction("discard", "discarding runs", 200);

  app.post("/api/runs/:id/rerun", async (c) => {
    const run = await readableRun(c);
    if (!run) return refuse(c, "api");
    const actor = await writer(c, run.repository, "re-running runs");
    if (actor instanceof Response) return actor;
    if (!deps.rerun) return unavailable(c);
    const outcome = await deps.rerun({ runId: run.id, actor: actorName(actor) });
    if (outcome.kind === "refused") return c.json({ error: outcome.reason }, 409);
    const [first] = outcome.runIds;
    if (first === undefined) {
      return c.json({ error: "planning again started no run: nothing of it is affected now" }, 409);
    }
    deps.log.info(
      { runId: run.id, actor: actorName(actor), runIds: outcome.runIds },
      "re-run queued",
    );
    return answerWithRun(c, first, 201);
  });
}

/** A trigger's body, validated; its runtime config read with line-numbered problems. */
async function triggerBody(
  c: Context<RunPageEnv>,
): Promise<
  { environment: string; kind: TriggerKind; runtimeConfig: RuntimeConfig | undefined } | Response
> {
  let json: unknown;
  try {
    json = JSON.parse(await c.req.text());
  } catch {
    return c.json({ error: "the body is not JSON" }, 400);
  }
  const parsed = TriggerBody.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
    }));
    return c.json({ error: problems.map(describe).join("; "), problems }, 422);
  }
  const { environment, kind, runtime_config: given } = parsed.data;
  if (given === undefined) return { environment, kind, runtimeConfig: undefined };
  // An object is read as the JSON text it serializes to, so its problems have lines too.
  const read = parseRuntimeConfig(
    typeof given === "string" ? given : JSON.stringify(given, null, 2),
  );
  if (!read.ok) {
    return c.json(
      {
        error: `runtime_config: ${read.problems.map(describe).join("; ")}`,
        problems: read.problems,
      },
      422,
    );
  }
  return {
    environment,
    kind,
    runtimeConfig: Object.keys(read.config).length > 0 ? read.config : undefined,
  };
}

function describe(
  problem: Pick<ConfigProblem, "path" | "message"> & { line?: number | undefined },
) {
  const where = problem.line === undefined ? "" : ` (line ${problem.line})`;
  return problem.path
    ? `${problem.path}: ${problem.message}${where}`
    : `${problem.message}${where}`;
}
