import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseEnv } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { APP_MANIFEST_FILE } from "../../../src/config/app-manifest.js";
import { loadConfig } from "../../../src/config/load-config.js";
import { loadDevelopmentEnvFile } from "../../../src/config/load-env-file.js";
import { testApp } from "../../helpers/app-credentials.js";
import {
  type ConvertedApp,
  expectCreateAppFromManifest,
  startGithubFake,
  type GithubFake,
} from "../../helpers/github-fake/index.js";
import { startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";
import { startBosun } from "../../../src/main.js";

/**
 * The one-click App setup (src/web/setup/) on a Bosun started without credentials, against the
 * fake GitHub on loopback (GHE_HOST): the start page, the manifest posted to GitHub, GitHub's
 * redirect back with a code, and the code's exchange; the credentials written to a .env in
 * development, shown once in production.
 */

const PUBLIC_URL = "https://bosun.example.com";
const NO_CREDENTIALS = { APP_ID: "", PRIVATE_KEY: "", WEBHOOK_SECRET: "" };
const APP: ConvertedApp = {
  id: 424242,
  slug: "bosun-acme",
  owner: "acme",
  pem: testApp.privateKey,
  webhookSecret: "6f1ed002ab5595859014ebf0951522d9",
  clientId: "Iv23liSetupClient",
  clientSecret: "0123456789abcdef0123456789abcdef01234567",
};

interface Registration {
  action: URL;
  manifest: Record<string, unknown>;
  cookie: string;
  state: string;
}

/** Submits the start page's form the way the browser does, and reads the page it gets back. */
async function register(bosun: TestBosun, form: Record<string, string>): Promise<Registration> {
  const response = await fetch(`${bosun.url}/setup/github-app`, {
    method: "POST",
    body: new URLSearchParams(form),
  });
  expect(response.status).toBe(200);
  const page = await response.text();
  const action = /<form id="to-github" method="post" action="([^"]+)"/.exec(page)?.[1];
  const manifest = /name="manifest" value="([^"]+)"/.exec(page)?.[1];
  const cookie = /^bosun_setup_state=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];
  if (!action || !manifest || !cookie) throw new Error(`not the page posting to GitHub:\n${page}`);
  const unescape = (text: string) =>
    text
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  const url = new URL(unescape(action));
  return {
    action: url,
    manifest: JSON.parse(unescape(manifest)) as Record<string, unknown>,
    cookie,
    state: url.searchParams.get("state") ?? "",
  };
}

/** GitHub's redirect back to Bosun, as the browser follows it (with or without the cookie). */
function callback(bosun: TestBosun, query: { code: string; state: string }, cookie?: string) {
  return fetch(`${bosun.url}/setup/github-app/callback?${new URLSearchParams(query).toString()}`, {
    headers: cookie === undefined ? {} : { cookie: `bosun_setup_state=${cookie}` },
  });
}

describe("one-click GitHub App setup", () => {
  let github: GithubFake;
  let scratch: string;

  beforeAll(async () => {
    github = await startGithubFake();
    scratch = await mkdtemp(path.join(os.tmpdir(), "bosun-setup-"));
  });
  afterEach(() => github.verify());
  afterAll(async () => {
    await github?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  describe("in development", () => {
    let bosun: TestBosun;
    let envFile: string;

    beforeAll(async () => {
      envFile = path.join(scratch, "dev.env");
      bosun = await startTestBosun("pglite", {
        env: {
          ...NO_CREDENTIALS,
          GHE_HOST: github.host,
          GHE_PROTOCOL: "http",
          BOSUN_PUBLIC_URL: PUBLIC_URL,
        },
        envFile,
      });
    });
    afterAll(() => bosun?.close());

    it("offers Register GitHub App on the start page, and still refuses webhooks", async () => {
      const response = await fetch(bosun.url);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const page = await response.text();
      expect(page).toContain('<form method="post" action="/setup/github-app">');
      expect(page).toContain('<button type="submit">Register GitHub App</button>');
      expect(page).toContain('name="organization"');
      expect(page).toContain(`<code>${PUBLIC_URL}/api/github/webhooks</code>`);
      const webhook = await fetch(`${bosun.url}/api/github/webhooks`, {
        method: "POST",
        body: "{}",
      });
      expect(webhook.status).toBe(503);
    });

    it("posts app.yml's manifest with this Bosun's URLs to GitHub, for a user or an organisation", async () => {
      const file = parse(await readFile(APP_MANIFEST_FILE, "utf8")) as Record<string, unknown>;
      const user = await register(bosun, { owner: "user", name: "Bosun Acme" });
      expect(`${user.action.origin}${user.action.pathname}`).toBe(
        `http://${github.host}/settings/apps/new`,
      );
      expect(user.state).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(user.cookie).toBe(user.state);
      expect(user.manifest).toEqual({
        name: "Bosun Acme",
        url: file.url,
        description: file.description,
        hook_attributes: { url: `${PUBLIC_URL}/api/github/webhooks`, active: true },
        redirect_url: `${PUBLIC_URL}/setup/github-app/callback`,
        setup_url: `${PUBLIC_URL}/`,
        public: false,
        default_permissions: file.default_permissions,
        default_events: file.default_events,
      });
      expect(user.manifest.default_permissions).toMatchObject({
        checks: "write",
        contents: "read",
      });

      const org = await register(bosun, {
        owner: "organization",
        organization: "acme",
        name: "Bosun",
      });
      expect(org.action.pathname).toBe("/organizations/acme/settings/apps/new");
      expect(org.state).not.toBe(user.state);
    });

    it("refuses a bad organisation name or an empty App name", async () => {
      for (const [form, problem] of [
        [
          { owner: "organization", organization: "-acme", name: "Bosun" },
          "Organisation: give its login",
        ],
        [
          { owner: "organization", organization: "", name: "Bosun" },
          "Organisation: give its login",
        ],
        [{ owner: "user", name: " " }, "App name: required"],
      ] as const) {
        const response = await fetch(`${bosun.url}/setup/github-app`, {
          method: "POST",
          body: new URLSearchParams(form),
        });
        expect(response.status).toBe(400);
        expect(await response.text()).toContain(problem);
      }
    });

    it("refuses (403) an answer whose state this browser was not given, and exchanges nothing", async () => {
      const started = await register(bosun, { owner: "user", name: "Bosun" });
      const forged = await callback(bosun, { code: "c0de", state: "forged" }, started.cookie);
      expect(forged.status).toBe(403);
      expect(await forged.text()).toContain(
        "does not belong to a registration started in this browser",
      );
      // The right state from a browser without the cookie (another person's): refused too, and used up.
      expect((await callback(bosun, { code: "c0de", state: started.state })).status).toBe(403);
      expect(
        (await callback(bosun, { code: "c0de", state: started.state }, started.cookie)).status,
      ).toBe(403);
      expect(
        github.requests.filter((request) => request.path.startsWith("/app-manifests")),
      ).toEqual([]);
    });

    it("exchanges the code, merges the credentials into the .env (0600), and links to the install page", async () => {
      await writeFile(envFile, "# mine\nLOG_LEVEL=debug\nAPP_ID=\n", { mode: 0o644 });
      const started = await register(bosun, {
        owner: "organization",
        organization: "acme",
        name: "Bosun",
      });
      expectCreateAppFromManifest(github, "good-code", APP);
      const response = await callback(
        bosun,
        { code: "good-code", state: started.state },
        started.cookie,
      );
      expect(response.status).toBe(200);
      const page = await response.text();
      expect(page).toContain(`Its credentials are in <code>${envFile}</code>`);
      expect(page).toContain("Restart Bosun to use them");
      expect(page).toContain(`href="${github.urls.web}/apps/bosun-acme/installations/new"`);
      expect(page).not.toContain(APP.clientSecret);
      expect(page).not.toContain("PRIVATE KEY");

      expect((await stat(envFile)).mode & 0o777).toBe(0o600);
      const text = await readFile(envFile, "utf8");
      expect(text.startsWith("# mine\nLOG_LEVEL=debug\n")).toBe(true);
      expect(parseEnv(text)).toEqual({
        LOG_LEVEL: "debug",
        APP_ID: "424242",
        PRIVATE_KEY: testApp.privateKey,
        WEBHOOK_SECRET: APP.webhookSecret,
        GITHUB_CLIENT_ID: APP.clientId,
        GITHUB_CLIENT_SECRET: APP.clientSecret,
      });
      // What the next `npm start` reads: a configured App, and sign-in on the run pages.
      const env: NodeJS.ProcessEnv = { BOSUN_DATA_DIR: path.join(scratch, "data") };
      loadDevelopmentEnvFile(env, envFile);
      const config = await loadConfig(env);
      expect(config.github).toMatchObject({ appId: 424242, webhookSecret: APP.webhookSecret });
      expect(config.github?.privateKey).toBe(testApp.privateKey.trim());
      expect(config.githubSignIn).toMatchObject({ clientId: APP.clientId });

      // GitHub's redirect again (a reload): the state is spent.
      expect(
        (await callback(bosun, { code: "good-code", state: started.state }, started.cookie)).status,
      ).toBe(403);
    });

    it("never overwrites credentials a .env already holds: shows them once instead", async () => {
      const started = await register(bosun, { owner: "user", name: "Bosun" });
      expectCreateAppFromManifest(github, "second-code", {
        ...APP,
        id: 7,
        clientSecret: "second-secret",
      });
      const before = await readFile(envFile, "utf8");
      const response = await callback(
        bosun,
        { code: "second-code", state: started.state },
        started.cookie,
      );
      const page = await response.text();
      expect(page).toContain(
        "already sets APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET",
      );
      expect(page).toContain("APP_ID=&quot;7&quot;");
      expect(page).toContain("GITHUB_CLIENT_SECRET=&quot;second-secret&quot;");
      expect(await readFile(envFile, "utf8")).toBe(before);
    });

    it("says so (502) when GitHub does not know the code", async () => {
      const started = await register(bosun, { owner: "user", name: "Bosun" });
      expectCreateAppFromManifest(github, "stale-code", "unknown code");
      const response = await callback(
        bosun,
        { code: "stale-code", state: started.state },
        started.cookie,
      );
      expect(response.status).toBe(502);
      expect(await response.text()).toContain("it works once, within an hour");
    });
  });

  it("refuses to start a worker-only process without credentials: it would sit idle", async () => {
    await expect(
      startBosun({
        mode: "worker",
        env: { BOSUN_DATA_DIR: path.join(scratch, "worker"), LOG_LEVEL: "silent" },
      }),
    ).rejects.toMatchObject({
      name: "ConfigError",
      problems: [expect.stringContaining("required by `bosun worker`")],
    });
  });

  describe("in production", () => {
    let bosun: TestBosun;
    let envFile: string;

    beforeAll(async () => {
      envFile = path.join(scratch, "production.env");
      bosun = await startTestBosun("pglite", {
        env: {
          ...NO_CREDENTIALS,
          NODE_ENV: "production",
          BOSUN_ENCRYPTION_KEY: "b".repeat(64),
          GHE_HOST: github.host,
          GHE_PROTOCOL: "http",
          BOSUN_PUBLIC_URL: PUBLIC_URL,
        },
        envFile,
      });
    });
    afterAll(() => bosun?.close());

    it("shows the credentials once, keeps nothing, and shows nothing on a second visit", async () => {
      const started = await register(bosun, { owner: "user", name: "Bosun" });
      // Served over https: the state cookie is Secure.
      expectCreateAppFromManifest(github, "prod-code", APP);
      const first = await callback(
        bosun,
        { code: "prod-code", state: started.state },
        started.cookie,
      );
      expect(first.status).toBe(200);
      expect(first.headers.get("cache-control")).toBe("no-store");
      const page = await first.text();
      expect(page).toContain("this page is shown once and Bosun kept nothing");
      expect(page).toContain("APP_ID=&quot;424242&quot;");
      expect(page).toContain(`WEBHOOK_SECRET=&quot;${APP.webhookSecret}&quot;`);
      expect(page).toContain(`GITHUB_CLIENT_SECRET=&quot;${APP.clientSecret}&quot;`);
      expect(page).toContain("-----BEGIN RSA PRIVATE KEY-----\\n");
      expect(page).toContain(`href="${github.urls.web}/apps/bosun-acme/installations/new"`);
      await expect(stat(envFile)).rejects.toMatchObject({ code: "ENOENT" });

      const second = await callback(
        bosun,
        { code: "prod-code", state: started.state },
        started.cookie,
      );
      expect(second.status).toBe(403);
      const again = await second.text();
      expect(again).not.toContain(APP.webhookSecret);
      expect(again).not.toContain(APP.clientSecret);
    });
  });
});
