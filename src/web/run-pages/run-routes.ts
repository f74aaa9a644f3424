import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context, Hono } from "hono";
import { z } from "zod";
import { canRerun } from "../../services/rerun-run.js";
import type { RunDetail } from "../../services/run-page-port.js";
import { html } from "./html.js";
import { renderRunSection } from "./render-run-page.js";
import type { RunPageDeps, RunPageEnv } from "./run-page-deps.js";
import type { RunPageResponses } from "./run-page-responses.js";
import { RUN_PAGE_SCRIPT } from "./run-page-script.js";

const RunId = z.uuid();

/** One run: its page, the section live polling replaces, Re-run, its JSON and its logs. */
export function addRunRoutes(
  app: Hono<RunPageEnv>,
  deps: RunPageDeps,
  { page, refuse }: RunPageResponses,
  now: () => number,
): void {
  const readableRun = async (c: Context<RunPageEnv>): Promise<RunDetail | undefined> => {
    const id = RunId.safeParse(c.req.param("id"));
    if (!id.success) return undefined;
    const run = await deps.store.run(id.data);
    if (!run) return undefined;
    return (await deps.access.canReadRun(c.get("session"), run)) ? run : undefined;
  };

  const rerunToken = (login: string, runId: string) =>
    createHmac("sha256", deps.keys.formKey).update(`rerun\n${login}\n${runId}`).digest("base64url");

  const runOptions = async (c: Context<RunPageEnv>, run: RunDetail) => {
    const session = c.get("session");
    const writer =
      deps.rerun !== undefined &&
      canRerun(run) &&
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
    const stacks = [...new Set(run.components.map((component) => component.stack))];
    const crumbs = !options.repositoryReadable
      ? html`<nav class="crumbs">${repo} › runs › ${run.id.slice(0, 8)}</nav>`
      : stacks.length === 1
        ? html`<nav class="crumbs">
            <a href="/repos/${repo}">${repo}</a> › stacks ›
            <a href="/repos/${repo}/stacks/${stacks[0]!}">${stacks[0]!}</a> › ${run.id.slice(0, 8)}
          </nav>`
        : html`<nav class="crumbs">
            <a href="/repos/${repo}">${repo}</a> › <a href="/repos/${repo}/runs">runs</a> ›
            ${run.id.slice(0, 8)}
          </nav>`;
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
}
