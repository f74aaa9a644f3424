import { type Browser, type BrowserContext } from "playwright-core";
import { launchChromium } from "../helpers/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubFake, type GithubFake } from "../helpers/github-fake/index.js";
import { signInWithGithub } from "../helpers/sign-in.js";
import { stageTriggerScenario } from "../helpers/stack-trigger-scenario.js";
import { STAND_IN_TOFU } from "../helpers/stand-in.js";
import { freePort, startTestBosun, type TestBosun } from "../helpers/test-bosun.js";

/**
 * A repository's API tokens page in a real headless Chromium (see run-pages.test.ts): its admin
 * goes there from the repository page, creates a token, sees it once and copies it, finds it
 * listed without its value, and revokes it.
 */

const REPOSITORY = { id: 860_001, fullName: "acme/token-browser", installationId: 860 };
const CLIENT = { clientId: "Iv1.tokenbrowser", clientSecret: "token-browser-secret" };
const TOKENS = `/repos/${REPOSITORY.fullName}/tokens`;

const shows = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 60_000, interval: 200 });

describe("the API tokens page in Chromium", () => {
  let bosun: TestBosun;
  let github: GithubFake;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchChromium();
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
    // Codertocat administers the repository.
    await stageTriggerScenario(github, bosun.database.db, REPOSITORY);
    const session = await signInWithGithub(bosun.url, github, CLIENT, "Codertocat", "ghu_admin");
    const [name, value] = session.split("=", 2) as [string, string];
    context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
    await context.addCookies([{ name, value, url: bosun.url }]);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await github?.close();
    await bosun?.close();
    github?.verify();
  });

  it("creates a token, shows it once with Copy, lists it without it, and revokes it", async () => {
    const page = await context.newPage();
    await page.goto(`${bosun.url}/repos/${REPOSITORY.fullName}`);
    await Promise.all([
      page.waitForURL(`${bosun.url}${TOKENS}`),
      page.getByRole("link", { name: "API tokens" }).click(),
    ]);
    expect(await page.locator("#no-tokens").innerText()).toContain("No API token covers");

    const form = page.locator("form.token-create");
    await form.locator('input[name="name"]').fill("deploy-ci");
    await form.locator('select[name="scope"]').selectOption("trigger");
    await Promise.all([
      page.waitForLoadState("load"),
      form.getByRole("button", { name: "Create token" }).click(),
    ]);

    await shows(async () =>
      (await page.locator("h1").textContent())?.replace(/\s+/g, " ").trim(),
    ).toBe("Token deploy-ci created");
    expect(await page.locator("#token-warning").innerText()).toContain(
      "it will not be shown again",
    );
    const token = (await page.locator("#new-token").innerText()).trim();
    expect(token).toMatch(/^bosun_[A-Za-z0-9_-]{43}$/);
    const copy = page.locator("button[data-copy-token]");
    expect((await copy.innerText()).trim()).toBe("Copy");
    await copy.click();
    await shows(async () => (await copy.innerText()).trim()).toBe("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

    await Promise.all([
      page.waitForURL(`${bosun.url}${TOKENS}`),
      page.getByRole("link", { name: "Back to the API tokens" }).click(),
    ]);
    const row = page.locator('tr[data-token-name="deploy-ci"]');
    expect(await row.locator("[data-token-status]").innerText()).toContain("active");
    expect(await row.innerText()).toContain("Codertocat (via the pages)");
    expect(await page.content()).not.toContain(token);

    await Promise.all([
      page.waitForURL(`${bosun.url}${TOKENS}`),
      row.getByRole("button", { name: "Revoke" }).click(),
    ]);
    await shows(async () => (await row.locator("[data-token-status]").innerText()).trim()).toMatch(
      /^revoked/,
    );
    expect(await row.getByRole("button", { name: "Revoke" }).count()).toBe(0);
    await page.close();
  });
});
