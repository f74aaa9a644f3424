import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiTokens, environments, revisions, runs } from "../../../src/store/schema/index.js";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  startGithubFake,
  type FakeRepository,
  type GithubFake,
} from "../../helpers/github-fake/index.js";
import { inRepository } from "../../helpers/pull-request-scenario.js";
import { signInWithGithub } from "../../helpers/sign-in.js";
import { stageTriggerScenario, TRACKED_HEAD } from "../../helpers/stack-trigger-scenario.js";
import { STAND_IN_TERRAFORM, STAND_IN_TOFU } from "../../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";
import { example } from "../../helpers/webhook-examples.js";

/**
 * The stack page and its Trigger menu through the real server: a writer signed in with GitHub
 * starts Plan only, Plan & apply and Destroy runs of the tracked branch's head, with a runtime
 * config; readers, forged forms and bad runtime configs start nothing; a triggered run's Re-run
 * repeats it with its runtime config.
 */

const REPOSITORY = { id: 830_001, fullName: "acme/stackpage", installationId: 830 };
const CLIENT = { clientId: "Iv1.stackpage", clientSecret: "stackpage-secret" };
const STACK_PAGE = `/repos/${REPOSITORY.fullName}/stacks/network`;
const TRIGGER = `${STACK_PAGE}/trigger`;

/** A page's text with its runs of whitespace as one space, as a reader sees it. */
const flat = (page: string) => page.replace(/\s+/g, " ");

interface RunBody {
  id: string;
  kind: string;
  status: string;
  finished: boolean;
  commitSha: string;
  trigger: string;
  triggeredBy: string;
  machineUser: boolean;
  runtimeConfig?: Record<string, unknown>;
  repeatsRunId?: string;
  components: {
    stack: string;
    changeKind: string;
    phase: string;
    applied: boolean;
    planText?: string;
  }[];
}

describe.each(databaseKinds)("the stack page and its Trigger menu on %s", (kind) => {
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;
  let writer: string;
  let reader: string;
  let planRunId: string;
  let trackedRunId: string;

  const get = (path: string, cookie?: string) =>
    fetch(`${bosun.url}${path}`, { redirect: "manual", headers: cookie ? { cookie } : {} });
  const post = (path: string, fields: Record<string, string>, cookie?: string) =>
    fetch(`${bosun.url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: {
        ...(cookie ? { cookie } : {}),
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(fields).toString(),
    });
  const csrfOf = (page: string, action: string) =>
    new RegExp(`action="${action}"[^]*?name="csrf" value="([^"]+)"`).exec(page)?.[1];
  const triggerCsrf = async () => {
    const token = csrfOf(await (await get(STACK_PAGE, writer)).text(), TRIGGER);
    expect(token).toBeDefined();
    return token!;
  };
  const runOf = async (id: string) =>
    (await (await get(`/api/runs/${id}`, writer)).json()) as RunBody;
  const runsStarted = async () =>
    (
      (await (await get(`/api/repos/${REPOSITORY.fullName}/runs`, writer)).json()) as {
        total: number;
      }
    ).total;

  beforeAll(async () => {
    const port = await freePort();
    bosun = await startTestBosun(kind, {
      port,
      env: {
        BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
        BOSUN_TOFU_BIN: STAND_IN_TOFU,
        BOSUN_TERRAFORM_BIN: STAND_IN_TERRAFORM,
        BOSUN_WORKERS: "2",
        GITHUB_CLIENT_ID: CLIENT.clientId,
        GITHUB_CLIENT_SECRET: CLIENT.clientSecret,
      },
    });
    github = await startGithubFake();
    repo = await stageTriggerScenario(github, bosun.database.db, REPOSITORY);
    writer = await signInWithGithub(bosun.url, github, CLIENT, "Codertocat", "ghu_writer");
    reader = await signInWithGithub(bosun.url, github, CLIENT, "octocat", "ghu_reader");
  });
  afterAll(async () => {
    if (bosun) await settled(bosun);
    await github?.close();
    await bosun?.close();
    github?.verify();
  });

  it("shows a writer each environment with its Trigger menu, a reader the page without it", async () => {
    const repositoryPage = await (await get(`/repos/${REPOSITORY.fullName}`, reader)).text();
    expect(repositoryPage).toContain(`href="${STACK_PAGE}"`);

    const forWriter = await get(STACK_PAGE, writer);
    expect(forWriter.status).toBe(200);
    const page = await forWriter.text();
    expect(page).toContain('data-environment="dev"');
    expect(page).toMatch(/data-deployed>\s*<span class="muted">not deployed/);
    expect(page).toMatch(/data-drift><span class="muted">not checked/);
    expect(page).toContain(`action="${TRIGGER}"`);
    for (const value of ["tracked", "plan", "destroy"]) {
      expect(page).toContain(`name="kind" value="${value}"`);
    }
    expect(page).toMatch(/name="confirm" value="destroy" required/);

    const forReader = await get(STACK_PAGE, reader);
    expect(forReader.status).toBe(200);
    const readerPage = await forReader.text();
    expect(readerPage).toContain('data-environment="dev"');
    expect(readerPage).not.toContain(TRIGGER);

    expect((await get(STACK_PAGE)).status).toBe(401);
    expect((await get(`/repos/${REPOSITORY.fullName}/stacks/dns`, writer)).status).toBe(404);
  });

  it("refuses a reader, the signed out, and a form without its CSRF token or for another stack", async () => {
    const csrf = await triggerCsrf();
    const fields = { environment: "dev", kind: "plan", runtime_config: "" };

    const byReader = await post(TRIGGER, { ...fields, csrf }, reader);
    expect(byReader.status).toBe(403);
    expect(await byReader.text()).toContain("needs write permission on the repository");

    const signedOut = await post(TRIGGER, { ...fields, csrf });
    expect(signedOut.status).toBe(403);
    expect(await signedOut.text()).toContain("needs signing in with GitHub");

    const withoutCsrf = await post(TRIGGER, fields, writer);
    expect(withoutCsrf.status).toBe(403);
    expect(await withoutCsrf.text()).toContain("This form has expired or did not come from");

    // The token is bound to the stack it was shown for.
    const elsewhere = await post(
      `/repos/${REPOSITORY.fullName}/stacks/app/trigger`,
      { ...fields, csrf },
      writer,
    );
    expect(elsewhere.status).toBe(403);
    expect(await runsStarted()).toBe(0);
  });

  it("answers a bad runtime config with 422, every problem with its line, and keeps what was typed", async () => {
    const typed = "variables:\n  size: 3\nenv:\n  BOSUN_WORKERS: '0'\nextra: <1>\n";
    const response = await post(
      TRIGGER,
      { environment: "dev", kind: "plan", runtime_config: typed, csrf: await triggerCsrf() },
      writer,
    );
    expect(response.status).toBe(422);
    const page = await response.text();
    expect(flat(page)).toContain("The runtime config has 2 problems; nothing was started.");
    expect(flat(page)).toContain(
      "line 4, column 3 <code>env.BOSUN_WORKERS</code>: is set by Bosun for every engine run",
    );
    expect(flat(page)).toContain(
      "line 5, column 1 <code>extra</code>: unknown key &quot;extra&quot;",
    );
    // Escaped, and as typed: the textarea gives it back.
    expect(page).toContain(
      "variables:\n  size: 3\nenv:\n  BOSUN_WORKERS: &#39;0&#39;\nextra: &lt;1&gt;\n</textarea>",
    );
    expect(await runsStarted()).toBe(0);
  });

  it("Plan only: a run of the tracked branch's head with its runtime config, finished at its plan, never applied", async () => {
    const response = await post(
      TRIGGER,
      {
        environment: "dev",
        kind: "plan",
        runtime_config: "variables:\n  region: ap-south-1\nenv:\n  TEAM: infra\n",
        csrf: await triggerCsrf(),
      },
      writer,
    );
    expect(response.status).toBe(303);
    const location = response.headers.get("location")!;
    expect(location).toMatch(/^\/runs\/[0-9a-f-]{36}$/);
    planRunId = location.split("/").at(-1)!;

    const run = await eventually(
      async () => {
        const body = await runOf(planRunId);
        return body.finished ? body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    expect(run).toMatchObject({
      kind: "plan",
      status: "SUCCEEDED",
      commitSha: TRACKED_HEAD,
      trigger: "manual",
      triggeredBy: "Codertocat",
      machineUser: false,
      runtimeConfig: { variables: { region: "ap-south-1" }, env: { TEAM: "infra" } },
    });
    expect(run.components).toMatchObject([{ stack: "network", phase: "FINISHED", applied: false }]);
    expect(run.components[0]!.planText).toContain('region = "ap-south-1"');
    expect(repo.deployments).toEqual([]);
    expect(
      await bosun.database.db.select().from(revisions).where(eq(revisions.runId, planRunId)),
    ).toEqual([]);

    const page = await (await get(location, writer)).text();
    expect(page).toContain(`<a href="${STACK_PAGE}">network</a>`);
    expect(page).toContain("<h2>Runtime config</h2>");
    expect(page).toContain('<code data-variable="region">region = &quot;ap-south-1&quot;</code');
    expect(page).toContain('<code data-env="TEAM">TEAM=infra</code>');
    expect(page).toContain(`action="/runs/${planRunId}/rerun"`);
  });

  it("Plan & apply: a tracked run that waits, unconfirmed, for approval", async () => {
    const response = await post(
      TRIGGER,
      { environment: "dev", kind: "tracked", runtime_config: "  \n", csrf: await triggerCsrf() },
      writer,
    );
    expect(response.status).toBe(303);
    const runId = response.headers.get("location")!.split("/").at(-1)!;
    trackedRunId = runId;
    const run = await eventually(
      async () => {
        const body = await runOf(runId);
        return body.status === "PLANNED" ? body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    expect(run).toMatchObject({ kind: "tracked", trigger: "manual", commitSha: TRACKED_HEAD });
    expect(run.components).toMatchObject([{ phase: "UNCONFIRMED", applied: false }]);
    expect(run.runtimeConfig).toBeUndefined();
    expect(await (await get(`/runs/${runId}`, writer)).text()).not.toContain("Runtime config");

    const stackPage = await (await get(STACK_PAGE, writer)).text();
    expect(stackPage).toMatch(
      new RegExp(`data-last-run>\\s*Tracked ·\\s*<a href="/runs/${runId}">`),
    );
  });

  it("Destroy: needs its confirmation, and is refused while nothing is deployed", async () => {
    const fields = { environment: "dev", kind: "destroy", runtime_config: "" };
    const unconfirmed = await post(TRIGGER, { ...fields, csrf: await triggerCsrf() }, writer);
    expect(unconfirmed.status).toBe(422);
    expect(await unconfirmed.text()).toContain("I mean to destroy network@dev");

    const refused = await post(
      TRIGGER,
      { ...fields, confirm: "destroy", csrf: await triggerCsrf() },
      writer,
    );
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("nothing of network@dev is deployed to destroy");
    expect(await runsStarted()).toBe(2);
  });

  it("Re-run of a triggered run triggers it again with its runtime config", async () => {
    const page = await (await get(`/runs/${planRunId}`, writer)).text();
    const csrf = csrfOf(page, `/runs/${planRunId}/rerun`);
    const rerun = await post(`/runs/${planRunId}/rerun`, { csrf: csrf! }, writer);
    expect(rerun.status).toBe(303);
    const nextId = rerun.headers.get("location")!.split("/").at(-1)!;
    expect(nextId).not.toBe(planRunId);
    const repeated = await eventually(
      async () => {
        const body = await runOf(nextId);
        return body.finished ? body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    expect(repeated).toMatchObject({
      kind: "plan",
      status: "SUCCEEDED",
      trigger: "manual",
      triggeredBy: "Codertocat",
      repeatsRunId: planRunId,
      runtimeConfig: { variables: { region: "ap-south-1" }, env: { TEAM: "infra" } },
    });
    expect(repeated.components[0]!.planText).toContain('region = "ap-south-1"');
  });

  it("marks a machine user's run, and shows the environment's drift", async () => {
    const db = bosun.database.db;
    const [token] = await db
      .insert(apiTokens)
      .values({
        name: "release-bot",
        tokenHash: `hash-${kind}`,
        scope: "trigger",
        createdBy: "Codertocat",
      })
      .returning();
    await db
      .update(runs)
      .set({ triggeredByTokenId: token!.id, triggeredBy: "release-bot (API token)" })
      .where(eq(runs.id, planRunId));
    const checkedAt = new Date("2026-12-01T06:00:00Z");
    await db
      .update(environments)
      .set({ drifted: true, driftCheckedAt: checkedAt, driftRunId: planRunId })
      .where(eq(environments.repositoryId, REPOSITORY.id));

    const runPage = await (await get(`/runs/${planRunId}`, writer)).text();
    expect(runPage).toMatch(/<b>release-bot \(API token\)<\/b>\s*<span[^>]*data-machine-user/);
    const table = await (await get(`${STACK_PAGE}/runs`, writer)).text();
    expect(table).toMatch(/release-bot \(API token\)\s*<span[^>]*data-machine-user/);
    const stackPage = await (await get(STACK_PAGE, writer)).text();
    expect(stackPage).toMatch(
      new RegExp(
        `data-drift><span class="badge s-bad">drifted</span>\\s*\\(run <a href="/runs/${planRunId}">`,
      ),
    );
    expect(stackPage).toContain('<time datetime="2026-12-01T06:00:00.000Z">');
  });

  it("Plan & apply, approved with its check run's Apply, deploys; the stack page shows it, and Destroy starts", async () => {
    const check = repo.checkRuns.find(
      (candidate) =>
        candidate.name === "bosun/dev" && candidate.details_url?.includes(trackedRunId),
    );
    expect(check?.conclusion).toBe("action_required");
    const button = inRepository(
      example("check_run", (p) => p.action === "requested_action" && !!p.installation),
      REPOSITORY,
    );
    (button.check_run as { id: number }).id = check!.id;
    (button.requested_action as { identifier: string }).identifier = "apply";
    (button.sender as { login: string }).login = "Codertocat";
    expect((await deliver(bosun.url, "check_run", button)).status).toBe(200);
    await eventually(
      async () => ((await runOf(trackedRunId)).status === "SUCCEEDED" ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 300 },
    );

    const stackPage = flat(await (await get(STACK_PAGE, writer)).text());
    expect(stackPage).toContain(`/commit/${TRACKED_HEAD}" >${TRACKED_HEAD.slice(0, 7)}</a >`);
    expect(stackPage).toContain(
      `by <b>Codertocat</b> · run <a href="/runs/${trackedRunId}">${trackedRunId.slice(0, 8)}</a>`,
    );

    const destroy = await post(
      TRIGGER,
      {
        environment: "dev",
        kind: "destroy",
        runtime_config: "",
        confirm: "destroy",
        csrf: await triggerCsrf(),
      },
      writer,
    );
    expect(destroy.status).toBe(303);
    const destroyRunId = destroy.headers.get("location")!.split("/").at(-1)!;
    // Still gated: a destroy plan waits for its approval like any other.
    const planned = await eventually(
      async () => {
        const body = await runOf(destroyRunId);
        return body.status === "PLANNED" ? body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    expect(planned).toMatchObject({ kind: "destroy", trigger: "manual" });
    expect(planned.components).toMatchObject([
      { changeKind: "destroy", phase: "UNCONFIRMED", applied: false },
    ]);
    expect(planned.components[0]!.planText).toContain("null_resource.vpc will be destroyed");
  });
});
