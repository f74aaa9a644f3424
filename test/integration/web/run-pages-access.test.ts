import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRunRepository } from "../../../src/store/run-repository.js";
import { runComponents, runs } from "../../../src/store/schema/index.js";
import { databaseKinds } from "../../helpers/databases.js";
import {
  startGithubFake,
  expectExchangeOAuthCode,
  expectGetAuthenticatedUser,
  expectGetCollaboratorPermission,
  expectGetPullRequest,
  expectInstallationToken,
  expectGetRepositoryAsUser,
  type GithubFake,
} from "../../helpers/github-fake/index.js";
import { openedExample } from "../../helpers/pull-request-scenario.js";
import { networkSpec, seedComponent, seedRun } from "../../helpers/seed.js";
import { startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

/**
 * Who may read the run pages and their JSON API: GitHub sign-in (the App's user authorization
 * flow, on a GitHub Enterprise host here, so GHE_HOST is honoured) and what the API returns.
 */

const GHE_WEB = "https://github.acme.test";
const PUBLIC_URL = "https://bosun.acme.test";
const CLIENT = { clientId: "Iv1.runpages", clientSecret: "client-secret-value" };
const REDIRECT_URI = `${PUBLIC_URL}/auth/github/callback`;
const REPO = "acme/infra";

describe.each(databaseKinds)("run pages' access and API on %s", (kind) => {
  let bosun: TestBosun;
  let github: GithubFake;
  let runId: string;
  let olderRunId: string;
  let componentId: string;
  let planningPhaseId: string;

  const get = (path: string, cookie?: string) =>
    fetch(`${bosun.url}${path}`, {
      redirect: "manual",
      headers: cookie ? { cookie } : {},
    });
  const cookieOf = (response: Response, name: string) =>
    response.headers
      .getSetCookie()
      .map((line) => line.split(";")[0]!)
      .find((pair) => pair.startsWith(`${name}=`));

  /** Signs `login` in through GitHub's flow; returns the session cookie. */
  async function signIn(login: string, token: string): Promise<string> {
    const started = await get(`/auth/github/login?return_to=/runs/${runId}`);
    expect(started.status).toBe(302);
    const authorize = new URL(started.headers.get("location")!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${GHE_WEB}/login/oauth/authorize`);
    expect(authorize.searchParams.get("client_id")).toBe(CLIENT.clientId);
    expect(authorize.searchParams.get("redirect_uri")).toBe(REDIRECT_URI);
    const state = authorize.searchParams.get("state")!;
    const stateCookie = cookieOf(started, "bosun_oauth_state")!;

    expectExchangeOAuthCode(
      github,
      { ...CLIENT, code: `code-${login}`, redirectUri: REDIRECT_URI },
      { token },
    );
    expectGetAuthenticatedUser(github, token, login);
    const callback = await get(
      `/auth/github/callback?code=code-${login}&state=${encodeURIComponent(state)}`,
      stateCookie,
    );
    expect(callback.status).toBe(303);
    expect(callback.headers.get("location")).toBe(`/runs/${runId}`);
    const session = callback.headers
      .getSetCookie()
      .find((line) => line.startsWith("bosun_session="))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).toMatch(/Secure/);
    // Sealed: the user's token is not readable in the cookie.
    expect(
      Buffer.from(session.split(";")[0]!.split("=")[1]!, "base64url").toString("latin1"),
    ).not.toContain(token);
    return session.split(";")[0]!;
  }

  beforeAll(async () => {
    bosun = await startTestBosun(kind, {
      mode: "web",
      env: {
        GHE_HOST: "github.acme.test",
        GHE_PROTOCOL: "https",
        GITHUB_CLIENT_ID: CLIENT.clientId,
        GITHUB_CLIENT_SECRET: CLIENT.clientSecret,
        BOSUN_PUBLIC_URL: PUBLIC_URL,
      },
    });
    const db = bosun.database.db;
    const runStore = createRunRepository(db);
    const older = await seedRun(db, networkSpec(), "a".repeat(40));
    olderRunId = older.runId;
    const seeded = await seedRun(db, networkSpec(), "b".repeat(40));
    runId = seeded.runId;
    // A proposed run is a pull request's: one Re-run can repeat.
    await db.update(runs).set({ pullRequestNumber: 7 }).where(eq(runs.id, runId));
    componentId = seeded.componentId;
    // The older run applied first, then this one: two revisions, the newest deployed.
    for (const [run, digest] of [
      [older, "sha256:older"],
      [seeded, "sha256:newer"],
    ] as const) {
      await runStore.recordRevision({
        runComponentId: run.runComponentId,
        planDigest: digest,
        inputs: { region: "eu-west-1" },
        outputs: { vpc_id: "vpc-0abc" },
        sealedOutputs: Buffer.from("sealed-sensitive-outputs"),
        stateVersionId: undefined,
        startedAt: new Date(),
      });
    }
    planningPhaseId = await runStore.startPhase(seeded.runComponentId, "PLANNING");
    await runStore.appendLog(planningPhaseId, [
      { stream: "stdout", line: "Plan: 1 to add, 0 to change, 0 to destroy." },
      { stream: "stderr", line: "password=*** <script>alert(1)</script>" },
    ]);
    await runStore.finishPhase(planningPhaseId, { exitCode: 2, error: undefined });
    // A downstream component waits in the second wave for the network's outputs.
    const app = await seedComponent(
      db,
      networkSpec({
        stack: "app",
        dir: "infra/app",
        dependsOn: [{ stack: "network", componentId, inputs: { vpc_id: "vpc_id" } }],
      }),
    );
    await db.insert(runComponents).values({
      runId,
      componentId: app.componentId,
      changeKind: "update",
      phase: "DEFERRED",
      wave: 1,
      spec: networkSpec({
        stack: "app",
        dir: "infra/app",
        dependsOn: [{ stack: "network", componentId, inputs: { vpc_id: "vpc_id" } }],
      }),
    });
    github = await startGithubFake(`${GHE_WEB}/api/v3`);
  });
  afterEach(() => {
    github.verify();
  });
  afterAll(async () => {
    await github?.close();
    await bosun?.close();
  });

  it("answers 401 to every page and API call that carries no credential", async () => {
    for (const path of [
      `/runs/${runId}`,
      `/api/runs/${runId}`,
      `/api/runs/${runId}/logs?phase=${planningPhaseId}`,
      `/api/components/${componentId}/revisions`,
      `/repos/${REPO}/runs`,
      `/api/repos/${REPO}/runs`,
      `/runs/00000000-0000-4000-8000-000000000000`,
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(401);
      expect(await response.text(), path).not.toContain("vpc-0abc");
    }
  });

  it("signs a reader in with GitHub, who then reads the run, its waves and its logs", async () => {
    const session = await signIn("octocat", "ghu_reader");
    expectGetRepositoryAsUser(github, REPO, "ghu_reader", { status: 200 });
    // The page asks, with the installation's token, whether the reader may also write.
    expectInstallationToken(github, 1);
    expectGetCollaboratorPermission(github, REPO, "octocat", { status: 200, permission: "read" });

    const run = await get(`/api/runs/${runId}`, session);
    expect(run.status).toBe(200);
    const body = (await run.json()) as {
      id: string;
      status: string;
      components: { stack: string; wave: number; phase: string; waitingFor: string[] }[];
    };
    expect(body).toMatchObject({ id: runId, status: "PLANNING", repository: { fullName: REPO } });
    expect(
      body.components.map(({ stack, wave, phase, waitingFor }) => ({
        stack,
        wave,
        phase,
        waitingFor,
      })),
    ).toEqual([
      { stack: "network", wave: 0, phase: "QUEUED", waitingFor: [] },
      { stack: "app", wave: 1, phase: "DEFERRED", waitingFor: ["network"] },
    ]);

    // GitHub's answer is cached: the log costs no second request.
    const log = await get(`/api/runs/${runId}/logs?phase=${planningPhaseId}&download=1`, session);
    expect(log.status).toBe(200);
    expect(log.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(log.headers.get("content-disposition")).toBe(
      `attachment; filename="bosun-${runId.slice(0, 8)}-planning.log"`,
    );
    expect(await log.text()).toBe(
      "Plan: 1 to add, 0 to change, 0 to destroy.\npassword=*** <script>alert(1)</script>\n",
    );

    // The page escapes what the engine printed.
    const page = await get(`/runs/${runId}`, session);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'nonce-/);
    expect(html).toContain("Signed in as <b>octocat</b>");
    expect(html).toContain("Deferred: waits for the outputs of network");
    expect(html).not.toContain("<script>alert(1)</script>");
    // A reader without write permission is offered no Re-run.
    expect(html).not.toContain("/rerun");

    // The runs of a repository, of one stack, and by who triggered them.
    const runsOf = async (query: string) =>
      (await (await get(`/api/repos/${REPO}/runs?${query}`, session)).json()) as {
        rows: { id: string; stacks: string[] }[];
        total: number;
        triggerers: string[];
      };
    const all = await runsOf("per_page=10");
    expect(all.total).toBe(2);
    expect(all.rows.map((row) => row.id)).toEqual([runId, olderRunId]);
    expect(all.rows[0]?.stacks).toEqual(["app", "network"]);
    expect(all.triggerers).toEqual(["octocat"]);
    expect((await runsOf("stack=app")).rows.map((row) => row.id)).toEqual([runId]);
    expect((await runsOf("per_page=10&page=2")).rows).toEqual([]);
    expect((await runsOf("triggered_by=nobody")).total).toBe(0);
  });

  it("lists a component's revisions newest first, without sealed values", async () => {
    const session = await signIn("hubot", "ghu_reader2");
    expectGetRepositoryAsUser(github, REPO, "ghu_reader2", { status: 200 });
    const response = await get(`/api/components/${componentId}/revisions`, session);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain("sealed");
    const body = JSON.parse(text) as {
      stack: string;
      revisions: { runId: string; planDigest: string; outputs: unknown; deployed: boolean }[];
    };
    expect(body.stack).toBe("network");
    expect(
      body.revisions.map(({ runId: id, planDigest, outputs, deployed }) => ({
        id,
        planDigest,
        outputs,
        deployed,
      })),
    ).toEqual([
      { id: runId, planDigest: "sha256:newer", outputs: { vpc_id: "vpc-0abc" }, deployed: true },
      {
        id: olderRunId,
        planDigest: "sha256:older",
        outputs: { vpc_id: "vpc-0abc" },
        deployed: false,
      },
    ]);
  });

  it("answers 404 to a signed-in user GitHub will not show the repository", async () => {
    const session = await signIn("mallory", "ghu_stranger");
    expectGetRepositoryAsUser(github, REPO, "ghu_stranger", { status: 404 });
    const run = await get(`/api/runs/${runId}`, session);
    expect(run.status).toBe(404);
    expect(await run.json()).toEqual({ error: "Not found, or not visible to you." });
    expect((await get(`/runs/${runId}`, session)).status).toBe(404);
  });

  it("refuses a callback whose state was not issued to this browser", async () => {
    const started = await get(`/auth/github/login?return_to=//evil.example/x`);
    const state = new URL(started.headers.get("location")!).searchParams.get("state")!;
    // Without the state cookie (another browser), and with a forged state.
    expect(
      (await get(`/auth/github/callback?code=x&state=${encodeURIComponent(state)}`)).status,
    ).toBe(400);
    const stateCookie = cookieOf(started, "bosun_oauth_state")!;
    const forged = state.replace(/\.[^.]*$/, ".AAAA");
    expect((await get(`/auth/github/callback?code=x&state=${forged}`, stateCookie)).status).toBe(
      400,
    );
  });

  it("offers a writer Re-run, behind a CSRF token", async () => {
    const session = await signIn("Codertocat", "ghu_writer");
    expectGetRepositoryAsUser(github, REPO, "ghu_writer", { status: 200 });
    // The installation's token is cached since the reader's page view.
    expectGetCollaboratorPermission(github, REPO, "Codertocat", {
      status: 200,
      permission: "write",
    });
    const page = await (await get(`/runs/${runId}`, session)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBeDefined();

    const post = (token: string) =>
      fetch(`${bosun.url}/runs/${runId}/rerun`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie: session, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf: token }).toString(),
      });
    expect((await post("forged")).status).toBe(403);
    // The pull request has been closed since: said, not done.
    expectGetPullRequest(github, REPO, 7, {
      ...(openedExample.pull_request as object),
      number: 7,
      state: "closed",
    });
    const refused = await post(csrf!);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({ error: "pull request #7 is closed" });
  });
});
