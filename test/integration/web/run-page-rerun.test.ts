import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  startGithubFake,
  expectExchangeOAuthCode,
  expectGetAuthenticatedUser,
  expectGetRepositoryAsUser,
  type GithubFake,
  type FakeRepository,
} from "../../helpers/github-fake/index.js";
import {
  inRepository,
  openedExample,
  stagePullRequest,
  type ScenarioRepository,
} from "../../helpers/pull-request-scenario.js";
import { STAND_IN_TOFU } from "../../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

/**
 * The run page's Re-run, end to end: a writer signed in with GitHub presses it on a planned pull
 * request's run, and a new run plans the same pull request, linking back to the one it repeats.
 */

const REPOSITORY: ScenarioRepository = { id: 820_001, fullName: "Codertocat/rerun" };
const CLIENT = { clientId: "Iv1.rerun", clientSecret: "rerun-secret" };

describe("Re-run from the run page", () => {
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;

  beforeAll(async () => {
    const port = await freePort();
    bosun = await startTestBosun("pglite", {
      port,
      env: {
        BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
        BOSUN_TOFU_BIN: STAND_IN_TOFU,
        GITHUB_CLIENT_ID: CLIENT.clientId,
        GITHUB_CLIENT_SECRET: CLIENT.clientSecret,
      },
    });
    github = await startGithubFake();
    repo = github.repository(REPOSITORY.fullName);
    await stagePullRequest(repo);
  });
  afterAll(async () => {
    if (bosun) await settled(bosun);
    await github?.close();
    await bosun?.close();
    github?.verify();
  });

  it("plans the pull request again as a new run that links to the one it repeats", async () => {
    expect(
      (await deliver(bosun.url, "pull_request", inRepository(openedExample, REPOSITORY))).status,
    ).toBe(200);
    const planned = await eventually(
      async () => {
        const check = repo.checkRun("bosun/dev");
        return check?.conclusion === "action_required" ? check : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const runId = new URL(planned.details_url!).pathname.split("/").at(-1)!;

    // Sign in through GitHub as a writer.
    const started = await fetch(`${bosun.url}/auth/github/login?return_to=/runs/${runId}`, {
      redirect: "manual",
    });
    const state = new URL(started.headers.get("location")!).searchParams.get("state")!;
    const stateCookie = started.headers.getSetCookie()[0]!.split(";")[0]!;
    expectExchangeOAuthCode(
      github,
      { ...CLIENT, code: "writer-code", redirectUri: `${bosun.url}/auth/github/callback` },
      { token: "ghu_writer" },
    );
    expectGetAuthenticatedUser(github, "ghu_writer", "Codertocat");
    const callback = await fetch(
      `${bosun.url}/auth/github/callback?code=writer-code&state=${encodeURIComponent(state)}`,
      { redirect: "manual", headers: { cookie: stateCookie } },
    );
    const session = callback.headers
      .getSetCookie()
      .find((line) => line.startsWith("bosun_session="))!
      .split(";")[0]!;
    expectGetRepositoryAsUser(github, REPOSITORY.fullName, "ghu_writer", { status: 200 });

    const page = await (
      await fetch(`${bosun.url}/runs/${runId}`, { headers: { cookie: session } })
    ).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBeDefined();
    const rerun = await fetch(`${bosun.url}/runs/${runId}/rerun`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: session, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf: csrf! }).toString(),
    });
    expect(rerun.status).toBe(303);
    const next = rerun.headers.get("location")!;
    expect(next).toMatch(/^\/runs\/[0-9a-f-]{36}$/);
    expect(next).not.toBe(`/runs/${runId}`);

    const repeated = await eventually(
      async () => {
        const response = await fetch(`${bosun.url}/api${next}`, { headers: { cookie: session } });
        const body = (await response.json()) as {
          status: string;
          repeatsRunId?: string;
          trigger: string;
          triggeredBy: string;
        };
        return body.status === "PLANNED" ? body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    expect(repeated).toMatchObject({
      repeatsRunId: runId,
      trigger: "button",
      triggeredBy: "Codertocat",
    });
    // The repeated run's page says which run it repeats.
    const nextPage = await (
      await fetch(`${bosun.url}${next}`, { headers: { cookie: session } })
    ).text();
    expect(nextPage).toContain(`href="/runs/${runId}"`);
    expect(github.unexpected).toEqual([]);
  });
});
