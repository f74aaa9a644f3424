import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver, eventually } from "../../helpers/deliver.js";
import { FakeGithubRepo } from "../../helpers/fake-github-repo.js";
import {
  createGithubFake,
  nockExchangeOAuthCode,
  nockGetAuthenticatedUser,
  nockGetRepositoryAsUser,
  type GithubFake,
} from "../../helpers/github-fake.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { STAND_IN_TOFU } from "../../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";
import { example } from "../../helpers/webhook-examples.js";

/**
 * The run page's Re-run, end to end: a writer signed in with GitHub presses it on a planned pull
 * request's run, and a new run plans the same pull request, linking back to the one it repeats.
 */

const openedExample = example("pull_request", (p) => p.action === "opened" && !!p.installation);
const HEAD = (openedExample.pull_request as { head: { sha: string } }).head.sha;
const MERGE_BASE = "1111111111111111111111111111111111111111";
const REPO = "Codertocat/rerun";
const REPOSITORY_ID = 820_001;
const CLIENT = { clientId: "Iv1.rerun", clientSecret: "rerun-secret" };
const bosunYml = `version: 1
environments:
  dev:
    variables:
      region: eu-west-1
stacks:
  - name: network
    dir: infra/network
    environments: [dev]
    var_files: ["env/\${environment}.tfvars"]
`;

function inRepository<T extends Record<string, unknown>>(payload: T): T {
  const copy = structuredClone(payload);
  const repository = copy.repository as { id: number; full_name: string; name: string };
  repository.id = REPOSITORY_ID;
  repository.full_name = REPO;
  repository.name = "rerun";
  const pull = copy.pull_request as {
    head: { repo: { full_name: string } };
    base: { repo: { full_name: string } };
  };
  pull.head.repo.full_name = REPO;
  pull.base.repo.full_name = REPO;
  return copy;
}

describe("Re-run from the run page", () => {
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeGithubRepo;

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
    github = createGithubFake();
    repo = new FakeGithubRepo(github, REPO);
    repo.pull.head.sha = HEAD;
    repo.pull.base.sha = MERGE_BASE;
    repo.compare.merge_base_commit.sha = MERGE_BASE;
    repo.compare.files = [{ filename: "infra/network/main.tf", status: "modified" }];
    repo.permissions.set("Codertocat", "admin");
    repo.files.set("master", { "bosun.yml": bosunYml });
    repo.files.set(HEAD, { "bosun.yml": bosunYml, ...networkStackFiles });
    repo.files.set(MERGE_BASE, { "bosun.yml": bosunYml });
    const tarball = await repoTarball({ "bosun.yml": bosunYml, ...networkStackFiles });
    repo.tarballs.set(HEAD, tarball);
    repo.tarballs.set(MERGE_BASE, tarball);
  });
  afterAll(async () => {
    if (bosun) await settled(bosun);
    repo?.close();
    github?.restore();
    await bosun?.close();
  });

  it("plans the pull request again as a new run that links to the one it repeats", async () => {
    expect((await deliver(bosun.url, "pull_request", inRepository(openedExample))).status).toBe(
      200,
    );
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
    nockExchangeOAuthCode(
      "https://github.com",
      { ...CLIENT, code: "writer-code", redirectUri: `${bosun.url}/auth/github/callback` },
      { token: "ghu_writer" },
    );
    nockGetAuthenticatedUser(github, "ghu_writer", "Codertocat");
    const callback = await fetch(
      `${bosun.url}/auth/github/callback?code=writer-code&state=${encodeURIComponent(state)}`,
      { redirect: "manual", headers: { cookie: stateCookie } },
    );
    const session = callback.headers
      .getSetCookie()
      .find((line) => line.startsWith("bosun_session="))!
      .split(";")[0]!;
    nockGetRepositoryAsUser(github, REPO, "ghu_writer", { status: 200 });

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
    expect(repo.unexpected).toEqual([]);
  });
});
