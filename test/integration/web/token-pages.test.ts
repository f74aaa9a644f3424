import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiToken } from "../../../src/lib/api-token-format.js";
import { generateEncryptionKey } from "../../../src/lib/seal.js";
import { createTokenCommand } from "../../../src/services/tokens-command.js";
import { createApiTokenRepository } from "../../../src/store/api-token-repository.js";
import { apiTokens, repositories } from "../../../src/store/schema/index.js";
import { formToken } from "../../../src/web/run-pages/form-token.js";
import { sessionKeys } from "../../../src/web/run-pages/session.js";
import { databaseKinds } from "../../helpers/databases.js";
import { eventually } from "../../helpers/deliver.js";
import { startGithubFake, type GithubFake } from "../../helpers/github-fake/index.js";
import { signInWithGithub } from "../../helpers/sign-in.js";
import { stageTriggerScenario } from "../../helpers/stack-trigger-scenario.js";
import { STAND_IN_TERRAFORM, STAND_IN_TOFU } from "../../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

/**
 * A repository's API tokens on the pages, through the real server: its admin lists, creates and
 * revokes them (a created token is shown once and works on the HTTP API at once); writers, readers,
 * the signed out and forged forms are refused; a token also covering a repository the admin does
 * not administer is not theirs to revoke; no token reaches a list page or the logs.
 */

const REPOSITORY = { id: 850_001, fullName: "acme/tokenpage", installationId: 850 };
/** The admin only writes here. */
const OTHER = { id: 850_002, fullName: "acme/tokenpage-other" };
/** The admin cannot see this one at all. */
const HIDDEN = { id: 850_003, fullName: "acme/tokenpage-hidden" };
const CLIENT = { clientId: "Iv1.tokenpage", clientSecret: "tokenpage-secret" };
const REPOSITORY_PAGE = `/repos/${REPOSITORY.fullName}`;
const TOKENS = `${REPOSITORY_PAGE}/tokens`;
const TOKEN_TEXT = /bosun_[A-Za-z0-9_-]{43}/g;

/** A page's text with its runs of whitespace as one space, as a reader sees it. */
const flat = (page: string) => page.replace(/\s+/g, " ");

describe.each(databaseKinds)("API tokens on the pages on %s", (kind) => {
  const key = generateEncryptionKey();
  const logLines: string[] = [];
  let bosun: TestBosun;
  let github: GithubFake;
  let admin: string;
  let writer: string;
  let reader: string;
  /** Tokens made with `bosun tokens create`, by name. */
  const made: Record<string, { id: string; token: string }> = {};
  /** The token the admin creates on the pages. */
  let created = "";

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
  const api = (path: string, token: string, body?: unknown) =>
    fetch(`${bosun.url}/api${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const csrfOf = (page: string, action: string) =>
    new RegExp(`action="${action}"[^]*?name="csrf" value="([^"]+)"`).exec(page)?.[1];
  const tokensPage = async (cookie = admin) => (await get(TOKENS, cookie)).text();
  const createCsrf = async () => {
    const csrf = csrfOf(await tokensPage(), TOKENS);
    expect(csrf).toBeDefined();
    return csrf!;
  };
  const tokenCount = async () => (await bosun.database.db.select().from(apiTokens)).length;

  beforeAll(async () => {
    const port = await freePort();
    bosun = await startTestBosun(kind, {
      port,
      env: {
        BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
        BOSUN_TOFU_BIN: STAND_IN_TOFU,
        BOSUN_TERRAFORM_BIN: STAND_IN_TERRAFORM,
        BOSUN_ENCRYPTION_KEY: key.text,
        GITHUB_CLIENT_ID: CLIENT.clientId,
        GITHUB_CLIENT_SECRET: CLIENT.clientSecret,
      },
      log: pino({ level: "debug" }, { write: (line: string) => void logLines.push(line) }),
    });
    github = await startGithubFake();
    // Codertocat administers the repository, hubot writes to it, octocat reads it.
    const repo = await stageTriggerScenario(github, bosun.database.db, REPOSITORY);
    repo.permissions.set("hubot", "write");
    github.repository(OTHER.fullName).permissions.set("Codertocat", "write");
    for (const [fullName, status] of [
      [OTHER.fullName, 200],
      [HIDDEN.fullName, 404],
    ] as const) {
      github.route({
        site: "api",
        method: "GET",
        path: new RegExp(`^/repos/${fullName}$`),
        answer: () =>
          status === 200
            ? { status, body: { full_name: fullName, private: true } }
            : { status, body: { message: "Not Found" } },
      });
    }
    const db = bosun.database.db;
    await db.insert(repositories).values(
      [OTHER, HIDDEN].map((other) => ({
        ...other,
        installationId: REPOSITORY.installationId,
        defaultBranch: "main",
      })),
    );
    const store = createApiTokenRepository(db);
    for (const [name, repos] of [
      ["shared", [REPOSITORY.fullName, OTHER.fullName]],
      ["hidden", [REPOSITORY.fullName, HIDDEN.fullName]],
      ["elsewhere", [OTHER.fullName]],
    ] as const) {
      const result = await createTokenCommand(store, {
        name,
        repositories: repos,
        scope: "read",
        createdBy: "operator",
      });
      expect(result.exitCode).toBe(0);
      const [row] = await db.select().from(apiTokens).where(eq(apiTokens.name, name));
      made[name] = { id: row!.id, token: String(result.stdout).trim() };
    }

    admin = await signInWithGithub(bosun.url, github, CLIENT, "Codertocat", "ghu_admin");
    writer = await signInWithGithub(bosun.url, github, CLIENT, "hubot", "ghu_writer");
    reader = await signInWithGithub(bosun.url, github, CLIENT, "octocat", "ghu_reader");
  });
  afterAll(async () => {
    if (bosun) await settled(bosun);
    await github?.close();
    await bosun?.close();
    github?.verify();
  });

  it("links the tokens page from the repository page for an admin alone", async () => {
    expect(await (await get(REPOSITORY_PAGE, admin)).text()).toContain(`href="${TOKENS}"`);
    for (const other of [writer, reader]) {
      const page = await get(REPOSITORY_PAGE, other);
      expect(page.status).toBe(200);
      expect(await page.text()).not.toContain(TOKENS);
    }
  });

  it("lists the tokens that cover the repository, naming only repositories the admin can read", async () => {
    const response = await get(TOKENS, admin);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('data-token-name="shared"');
    expect(page).toContain('data-token-name="hidden"');
    expect(page).not.toContain('data-token-name="elsewhere"');
    expect(flat(page)).toContain(`${REPOSITORY.fullName}, ${OTHER.fullName}`);
    expect(page).not.toContain(HIDDEN.fullName);
    expect(flat(page)).toContain("and 1 other repository");
    // Neither is the admin's alone: no Revoke, and the reason instead.
    expect(page).not.toContain("/revoke");
    expect(flat(page)).toContain("also covers repositories you do not administer");
    expect(page.match(TOKEN_TEXT)).toBeNull();
    expect(page).not.toContain("sha256:");
  });

  it("refuses a writer and a reader (403), the signed out (401), and an unknown repository (404)", async () => {
    const csrf = await createCsrf();
    for (const other of [writer, reader]) {
      const page = await get(TOKENS, other);
      expect(page.status).toBe(403);
      expect(await page.text()).toContain(
        "Managing a repository&#39;s API tokens needs admin permission on it.",
      );
      const posted = await post(TOKENS, { csrf, name: "by-writer", scope: "read" }, other);
      expect(posted.status).toBe(403);
    }
    expect((await get(TOKENS)).status).toBe(401);
    expect((await post(TOKENS, { csrf, name: "anonymous", scope: "read" })).status).toBe(401);
    expect((await get("/repos/acme/nothing-here/tokens", admin)).status).toBe(404);
    expect(await tokenCount()).toBe(3);
  });

  it("refuses a form without its CSRF token or with another's", async () => {
    const fields = { name: "forged", scope: "trigger" };
    for (const csrf of [undefined, "not-a-token", made.shared!.id]) {
      const response = await post(TOKENS, csrf ? { ...fields, csrf } : fields, admin);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain("This form has expired or did not come from");
    }
    expect(await tokenCount()).toBe(3);
  });

  it("creates a token for this repository alone, shown once and never cached, that works at once", async () => {
    const response = await post(
      TOKENS,
      { csrf: await createCsrf(), name: "deploy-ci", scope: "trigger" },
      admin,
    );
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const page = await response.text();
    const shown = page.match(TOKEN_TEXT);
    expect(shown).toHaveLength(1);
    created = shown![0]!;
    expect(page).toContain(`<code id="new-token">${created}</code>`);
    expect(page).toContain("data-copy-token");
    expect(flat(page)).toContain("it will not be shown again");

    const [row] = await bosun.database.db
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.name, "deploy-ci"));
    expect(row).toMatchObject({
      scope: "trigger",
      createdBy: "Codertocat (via the pages)",
      tokenHash: hashApiToken(created),
      revokedAt: null,
    });

    // It reads and triggers on this repository, and nowhere else.
    expect((await api(`/repos/${REPOSITORY.fullName}/runs`, created)).status).toBe(200);
    expect((await api(`/repos/${OTHER.fullName}/runs`, created)).status).toBe(404);
    const started = await api(`/repos/${REPOSITORY.fullName}/stacks/network/runs`, created, {
      environment: "dev",
      kind: "plan",
    });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };
    const run = await eventually(
      async () => {
        const body = (await (await api(`/runs/${id}`, created)).json()) as {
          finished: boolean;
          triggeredBy: string;
          machineUser: boolean;
        };
        return body.finished ? body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    expect(run).toMatchObject({ triggeredBy: "deploy-ci (API token)", machineUser: true });

    // Listed without its value, and with its use.
    const list = await tokensPage();
    const listed = flat(/<tr data-token-name="deploy-ci"[^]*?<\/tr>/.exec(list)![0]);
    expect(listed).toContain("<td>trigger</td>");
    expect(listed).toContain("by Codertocat (via the pages)");
    expect(listed).not.toContain("never");
    expect(listed).toContain('<span class="badge s-ok">active</span>');
    expect(listed).toContain(`action="${TOKENS}/${row!.id}/revoke"`);
    expect(list).not.toContain(created);
    expect(list).not.toContain(row!.tokenHash);
  });

  it.each([
    [{ name: "" }, "token name &quot;&quot; must be 1 to 64 letters"],
    [{ name: "has space" }, "token name &quot;has space&quot; must be"],
    [{ name: "deploy-ci" }, "a token named deploy-ci exists"],
    [{ scope: "admin" }, "the scope must be one of read, trigger, not &quot;admin&quot;"],
  ])(
    "answers %o with 422 and the form as filled in, creating nothing",
    async (override, message) => {
      const before = await tokenCount();
      const fields = { name: "fresh", scope: "read", ...override };
      const response = await post(TOKENS, { ...fields, csrf: await createCsrf() }, admin);
      expect(response.status).toBe(422);
      const page = flat(await response.text());
      expect(/id="tokens-error">([^<]*)</.exec(page)?.[1]).toContain(message);
      expect(page).toContain(`autocomplete="off" value="${fields.name}"`);
      expect(await tokenCount()).toBe(before);
    },
  );

  it("revokes a token the admin administers wholly: the API refuses it from then on", async () => {
    const [row] = await bosun.database.db
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.name, "deploy-ci"));
    const action = `${TOKENS}/${row!.id}/revoke`;
    const csrf = csrfOf(await tokensPage(), action)!;
    expect(csrf).toBeDefined();

    // Bound to its form: it neither creates a token nor revokes for another user.
    expect(
      (await post(TOKENS, { csrf, name: "with-revoke-csrf", scope: "read" }, admin)).status,
    ).toBe(403);
    expect((await post(action, {}, admin)).status).toBe(403);

    const revoked = await post(action, { csrf }, admin);
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get("location")).toBe(TOKENS);
    const refused = await api(`/repos/${REPOSITORY.fullName}/runs`, created);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toMatch(
      /^this API token was revoked/,
    );

    const listed = flat(/<tr data-token-name="deploy-ci"[^]*?<\/tr>/.exec(await tokensPage())![0]);
    expect(listed).toContain('<span class="badge s-idle">revoked</span>');
    expect(listed).not.toContain("/revoke");

    const again = await post(action, { csrf }, admin);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("token deploy-ci was already revoked");
  });

  it("refuses to revoke a token that also covers a repository the admin does not administer, or not this one", async () => {
    // The page offers no form for these: one made with the pages' form key is refused all the same.
    const forged = (id: string) =>
      formToken(sessionKeys(key.key).formKey, [
        "revoke-api-token",
        "Codertocat",
        String(REPOSITORY.id),
        id,
      ]);
    for (const name of ["shared", "hidden"]) {
      const { id, token } = made[name]!;
      const response = await post(`${TOKENS}/${id}/revoke`, { csrf: forged(id) }, admin);
      expect(response.status).toBe(403);
      expect(flat(await response.text())).toContain(
        `token ${name} also covers repositories you do not administer, and revoking it would cut their access too`,
      );
      expect((await api(`/repos/${REPOSITORY.fullName}/runs`, token)).status).toBe(200);
    }
    const elsewhere = made.elsewhere!;
    const response = await post(
      `${TOKENS}/${elsewhere.id}/revoke`,
      { csrf: forged(elsewhere.id) },
      admin,
    );
    expect(response.status).toBe(404);
    expect(await response.text()).toContain(`no API token of ${REPOSITORY.fullName} has this id`);
    expect((await api(`/repos/${OTHER.fullName}/runs`, elsewhere.token)).status).toBe(200);
    expect(
      (await post(`${TOKENS}/not-an-id/revoke`, { csrf: forged("not-an-id") }, admin)).status,
    ).toBe(404);
  });

  it("writes no token to the logs", () => {
    const logs = logLines.join("");
    expect(logs).toContain("API token created on the pages");
    expect(logs).toContain("API token revoked on the pages");
    expect(created).not.toBe("");
    expect(logs).not.toContain(created);
    expect(logs).not.toContain(created.slice("bosun_".length));
  });
});
