import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseEnv } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testApp } from "../helpers/app-credentials.js";
import { launchChromium } from "../helpers/chromium.js";
import {
  expectCreateAppFromManifest,
  startGithubFake,
  type GithubFake,
} from "../helpers/github-fake/index.js";
import { freePort, startTestBosun, type TestBosun } from "../helpers/test-bosun.js";

/**
 * The App setup in a real headless Chromium: one click on the start page posts the manifest to
 * (the fake) GitHub, which registers the App and redirects the browser back with a code and the
 * state; the state cookie comes back with it, Bosun exchanges the code and writes the .env.
 */
describe("one-click App setup in Chromium", () => {
  let browser: Browser;
  let github: GithubFake;
  let bosun: TestBosun;
  let scratch: string;
  const posted: Record<string, unknown>[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    github = await startGithubFake();
    scratch = await mkdtemp(path.join(os.tmpdir(), "bosun-setup-browser-"));
    const port = await freePort();
    bosun = await startTestBosun("pglite", {
      port,
      env: {
        APP_ID: "",
        PRIVATE_KEY: "",
        WEBHOOK_SECRET: "",
        GHE_HOST: github.host,
        GHE_PROTOCOL: "http",
        BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
      },
      envFile: path.join(scratch, ".env"),
    });
    // GitHub's "Create GitHub App" page, confirmed at once: back to redirect_url with a code.
    github.route({
      site: "web",
      method: "POST",
      path: /^\/settings\/apps\/new$/,
      answer(request) {
        const form = new URLSearchParams(String(request.body));
        const manifest = JSON.parse(form.get("manifest") ?? "{}") as { redirect_url: string };
        posted.push(manifest);
        const state = new URLSearchParams(request.query).get("state") ?? "";
        const back = new URL(manifest.redirect_url);
        back.search = new URLSearchParams({ code: "browser-code", state }).toString();
        return { status: 302, headers: { location: back.toString() } };
      },
    });
  });

  afterAll(async () => {
    await browser?.close();
    await bosun?.close();
    await github?.close();
    await rm(scratch, { recursive: true, force: true });
    github?.verify();
  });

  it("registers the App with one click and writes its credentials", async () => {
    expectCreateAppFromManifest(github, "browser-code", {
      id: 5150,
      slug: "bosun-browser",
      owner: "Codertocat",
      pem: testApp.privateKey,
      webhookSecret: "browser-webhook-secret",
      clientId: "Iv23liBrowser",
      clientSecret: "browser-client-secret",
    });
    const page = await browser.newPage();
    await page.goto(bosun.url);
    await Promise.all([
      page.waitForURL(/\/setup\/github-app\/callback\?/, { timeout: 30_000 }),
      page.getByRole("button", { name: "Register GitHub App" }).click(),
    ]);
    expect(await page.locator("h1").textContent()).toBe("GitHub App bosun-browser registered");
    expect(await page.getByRole("link", { name: "Install the App" }).getAttribute("href")).toBe(
      `${github.urls.web}/apps/bosun-browser/installations/new`,
    );
    expect(posted).toEqual([
      expect.objectContaining({
        hook_attributes: { url: `${bosun.url}/api/github/webhooks`, active: true },
      }),
    ]);
    const written = parseEnv(await readFile(path.join(scratch, ".env"), "utf8"));
    expect(written).toMatchObject({ APP_ID: "5150", WEBHOOK_SECRET: "browser-webhook-secret" });
    await page.close();
  });
});
