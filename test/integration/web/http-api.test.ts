import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeTokenCommand, createTokenCommand } from "../../../src/services/tokens-command.js";
import { createApiTokenRepository } from "../../../src/store/api-token-repository.js";
import { installations, repositories } from "../../../src/store/schema/index.js";
import { databaseKinds } from "../../helpers/databases.js";
import { eventually } from "../../helpers/deliver.js";
import {
  expectExchangeOAuthCode,
  expectGetAuthenticatedUser,
  expectGetRepositoryAsUser,
  startGithubFake,
  type FakeRepository,
  type GithubFake,
} from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { STAND_IN_TERRAFORM, STAND_IN_TOFU } from "../../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

/**
 * The HTTP API end to end (docs/design.md "Runs without a pull request"): tokens made by the
 * `bosun tokens` code, runs started, confirmed and discarded through the real server with the
 * stand-in engine, and every refusal's status and reason.
 */

const HEAD = "a".repeat(40);
const CLIENT = { clientId: "Iv1.api", clientSecret: "api-secret" };
const BOSUN_YML = `version: 1
environments:
  dev:
    variables:
      region: eu-west-1
stacks:
  - name: network
    dir: infra/network
    environments: [dev]
    var_files: ["env/\${environment}.tfvars"]
  - name: app
    dir: infra/app
    environments: [dev]
`;

interface RunJson {
  id: string;
  kind: string;
  status: string;
  trigger: string;
  triggeredBy: string;
  confirmedBy?: string;
  components: { phases: { id: string; phase: string }[] }[];
}

describe.each(databaseKinds)("the HTTP API on %s", (kind) => {
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;
  const fullName = `Codertocat/api-${kind}`;
  const repositoryId = kind === "pglite" ? 840_001 : 840_011;
  const tokens: Record<"trigger" | "read" | "other" | "revoked", string> = {
    trigger: "",
    read: "",
    other: "",
    revoked: "",
  };

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
    repo = github.repository(fullName);
    repo.permissions.set("Codertocat", "admin");
    repo.branches.set("main", HEAD);
    repo.files.set("main", { "bosun.yml": BOSUN_YML });
    repo.files.set(HEAD, { "bosun.yml": BOSUN_YML });
    repo.tarballs.set(HEAD, await repoTarball({ "bosun.yml": BOSUN_YML, ...networkStackFiles }));

    // The App is installed on both repositories (as its installation webhook records them).
    const db = bosun.database.db;
    await db.insert(installations).values({ id: 4_201, accountLogin: "Codertocat" });
    await db.insert(repositories).values([
      { id: repositoryId, installationId: 4_201, fullName, defaultBranch: "main" },
      {
        id: repositoryId + 1,
        installationId: 4_201,
        fullName: `Codertocat/other-${kind}`,
        defaultBranch: "main",
      },
    ]);
    const store = createApiTokenRepository(db);
    const create = async (name: string, repository: string, scope: string) => {
      const created = await createTokenCommand(store, {
        name,
        repositories: [repository],
        scope,
        createdBy: "test",
      });
      expect(created.exitCode).toBe(0);
      return String(created.stdout).trim().split("\n").at(-1)!;
    };
    tokens.trigger = await create("ci", fullName, "trigger");
    tokens.read = await create("dashboard", fullName, "read");
    tokens.other = await create("elsewhere", `Codertocat/other-${kind}`, "trigger");
    tokens.revoked = await create("old", fullName, "trigger");
    await revokeTokenCommand(store, { token: "old", now: new Date() });
  });
  afterAll(async () => {
    if (bosun) await settled(bosun);
    await github?.close();
    await bosun?.close();
    github?.verify();
  });

  const api = async (
    path: string,
    options: {
      token?: string;
      body?: unknown;
      method?: string;
      headers?: Record<string, string>;
    } = {},
  ) => {
    const response = await fetch(`${bosun.url}/api${path}`, {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      ...(options.body === undefined
        ? {}
        : { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      json: (response.headers.get("content-type")?.startsWith("application/json")
        ? JSON.parse(text)
        : {}) as Record<string, unknown>,
      text,
      headers: response.headers,
    };
  };
  const trigger = (body: unknown, token = tokens.trigger, stack = "network") =>
    api(`/repos/${fullName}/stacks/${stack}/runs`, { token, body });
  const runOnceIt = (id: string, token: string, status: string) =>
    eventually(
      async () => {
        const { json } = await api(`/runs/${id}`, { token });
        return json.status === status ? (json as unknown as RunJson) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

  it("starts a plan-only run for a trigger token, as its machine user, and never confirms it", async () => {
    const started = await trigger({ environment: "dev", kind: "plan" });
    expect(started.status).toBe(201);
    const id = started.json.id as string;
    expect(started.json).toEqual({
      id,
      url: `${bosun.url}/runs/${id}`,
      status: expect.stringMatching(/^(PLANNING|SUCCEEDED)$/) as unknown,
    });
    expect(started.headers.get("location")).toBe(`${bosun.url}/runs/${id}`);

    // A read token reads it, logs included.
    const run = await runOnceIt(id, tokens.read, "SUCCEEDED");
    expect(run).toMatchObject({ kind: "plan", trigger: "manual", triggeredBy: "ci (API token)" });
    const phase = run.components[0]!.phases.find((entry) => entry.phase === "PLANNING")!;
    const log = await api(`/runs/${id}/logs?phase=${phase.id}`, { token: tokens.read });
    expect(log.status).toBe(200);
    expect(log.text.length).toBeGreaterThan(0);

    const confirmed = await api(`/runs/${id}/confirm`, { token: tokens.trigger, method: "POST" });
    expect(confirmed).toMatchObject({
      status: 409,
      json: {
        error: "a plan-only run is never applied; trigger a run of kind tracked to plan and apply",
      },
    });
  });

  it("plans a tracked run and applies it once a trigger token confirms it", async () => {
    const started = await trigger({
      environment: "dev",
      kind: "tracked",
      runtime_config: { variables: { region: "eu-central-1" } },
    });
    expect(started.status).toBe(201);
    const id = started.json.id as string;
    await runOnceIt(id, tokens.trigger, "PLANNED");

    // A read token may look, not confirm.
    expect(await api(`/runs/${id}/confirm`, { token: tokens.read, method: "POST" })).toMatchObject({
      status: 403,
      json: { error: "this token's scope is read; confirming runs needs trigger" },
    });
    const confirmed = await api(`/runs/${id}/confirm`, { token: tokens.trigger, method: "POST" });
    expect(confirmed.status).toBe(202);
    expect(confirmed.json).toMatchObject({ id, url: `${bosun.url}/runs/${id}` });
    const applied = await runOnceIt(id, tokens.trigger, "SUCCEEDED");
    expect(applied.confirmedBy).toBe("ci (API token)");
    await eventually(async () =>
      repo.deployments.at(-1)?.statuses.some((status) => status.state === "success")
        ? true
        : undefined,
    );

    // Nothing waits any more: a second confirm or a discard says so.
    expect(
      await api(`/runs/${id}/confirm`, { token: tokens.trigger, method: "POST" }),
    ).toMatchObject({ status: 409, json: { refusal: "nothing-to-apply" } });
    expect(
      await api(`/runs/${id}/discard`, { token: tokens.trigger, method: "POST" }),
    ).toMatchObject({
      status: 409,
      json: {
        error: "nothing of this run is waiting for approval, so there is nothing to discard",
      },
    });
    // Re-run repeats the run as itself: a tracked run of the same commit, linked to this one.
    const rerun = await api(`/runs/${id}/rerun`, { token: tokens.trigger, method: "POST" });
    expect(rerun).toMatchObject({ status: 201, json: { id: expect.any(String) as unknown } });
    const repeated = await api(`/runs/${String(rerun.json.id)}`, { token: tokens.read });
    const original = await api(`/runs/${id}`, { token: tokens.read });
    expect(repeated.json).toMatchObject({
      kind: "tracked",
      commitSha: original.json.commitSha,
      repeatsRunId: id,
    });
  });

  it("answers what it refuses with a status and a reason, never the token", async () => {
    const body = { environment: "dev", kind: "plan" };
    const cases: [Promise<{ status: number; json: Record<string, unknown> }>, number, unknown][] = [
      [trigger(body, tokens.read), 403, "this token's scope is read; starting runs needs trigger"],
      [trigger(body, tokens.revoked), 401, expect.stringMatching(/^this API token was revoked \(/)],
      [trigger(body, `bosun_${"x".repeat(43)}`), 401, "this API token is not known to Bosun"],
      [trigger(body, tokens.other), 404, "Not found, or not visible to you."],
      [trigger(body, ""), 401, expect.stringContaining("needs a link from GitHub") as unknown],
      [
        api(`/repos/${fullName}/stacks/network/runs`, {
          headers: { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
          body,
        }),
        401,
        "the Authorization header must be Bearer <token>",
      ],
      [trigger({ kind: "plan" }), 422, expect.stringMatching(/^environment: /)],
      [trigger({ ...body, kind: "apply" }), 422, expect.stringMatching(/^kind: /)],
      [trigger("{not json"), 400, "the body is not JSON"],
      [trigger({ ...body, environment: "prod" }), 404, expect.stringContaining("runs in dev")],
      [trigger(body, tokens.trigger, "nope"), 404, expect.stringContaining("no stack nope")],
      [
        trigger({ environment: "dev", kind: "destroy" }, tokens.trigger, "app"),
        409,
        "nothing of app@dev is deployed to destroy",
      ],
    ];
    for (const [answer, status, error] of cases) {
      const { status: got, json } = await answer;
      expect({ status: got, error: json.error }).toEqual({ status, error });
      expect(JSON.stringify(json)).not.toMatch(/bosun_[A-Za-z0-9_-]{20}/);
    }
    // A token for another repository learns nothing of this one's runs.
    const run = await trigger(body);
    expect((await api(`/runs/${run.json.id as string}`, { token: tokens.other })).status).toBe(404);
  });

  it("names the line of each runtime config problem", async () => {
    const asText = await trigger({
      environment: "dev",
      kind: "plan",
      runtime_config: "variables:\n  region: eu-central-1\n  BOSUN_X: 1\n",
    });
    expect(asText.status).toBe(422);
    expect(asText.json).toEqual({
      error: "runtime_config: variables.BOSUN_X: BOSUN_* names are Bosun's own (line 3)",
      problems: [
        {
          path: "variables.BOSUN_X",
          line: 3,
          column: 3,
          message: "BOSUN_* names are Bosun's own",
        },
      ],
    });
    const asObject = await trigger({
      environment: "dev",
      kind: "plan",
      runtime_config: { targets: ["-var=x"] },
    });
    expect(asObject.status).toBe(422);
    expect(asObject.json.problems).toEqual([
      expect.objectContaining({ path: "targets[0]", line: 3 }),
    ]);
  });

  it("lets a signed-in writer trigger and discard with JSON, and refuses a form", async () => {
    const session = await signIn();
    const form = await fetch(`${bosun.url}/api/repos/${fullName}/stacks/network/runs`, {
      method: "POST",
      headers: { cookie: session, "content-type": "application/x-www-form-urlencoded" },
      body: "environment=dev&kind=plan",
    });
    expect(form.status).toBe(415);
    const json = { cookie: session, "content-type": "application/json" };
    const started = await fetch(`${bosun.url}/api/repos/${fullName}/stacks/network/runs`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ environment: "dev", kind: "tracked" }),
    });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };
    // The tracked run above applied its runtime config's region; this one plans it back.
    const planned = await runOnceIt(id, tokens.read, "PLANNED");
    expect(planned.triggeredBy).toBe("Codertocat");
    const discarded = await fetch(`${bosun.url}/api/runs/${id}/discard`, {
      method: "POST",
      headers: json,
    });
    expect(discarded.status).toBe(200);
    expect(await discarded.json()).toMatchObject({ id, status: "DISCARDED" });
    expect(github.unexpected).toEqual([]);
  });

  /** Signs in through GitHub's OAuth as Codertocat, who may write; answers the session cookie. */
  async function signIn(): Promise<string> {
    const started = await fetch(`${bosun.url}/auth/github/login?return_to=/`, {
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
    expectGetRepositoryAsUser(github, fullName, "ghu_writer", { status: 200 });
    return callback.headers
      .getSetCookie()
      .find((line) => line.startsWith("bosun_session="))!
      .split(";")[0]!;
  }
});
