import { type Browser, type BrowserContext } from "playwright-core";
import { launchChromium } from "../helpers/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubFake, type GithubFake } from "../helpers/github-fake/index.js";
import { signInWithGithub } from "../helpers/sign-in.js";
import { stageTriggerScenario } from "../helpers/stack-trigger-scenario.js";
import { STAND_IN_TOFU } from "../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../helpers/test-bosun.js";

/**
 * The stack page's Trigger menu in a real headless Chromium (see run-pages.test.ts): a signed-in
 * writer opens it, types a runtime config, starts a Plan only run and lands on its page; Destroy
 * waits for its confirmation before the browser sends anything.
 */

const REPOSITORY = { id: 840_001, fullName: "acme/stack-browser", installationId: 840 };
const CLIENT = { clientId: "Iv1.stackbrowser", clientSecret: "stack-browser-secret" };
const STACK_PAGE = `/repos/${REPOSITORY.fullName}/stacks/network`;

const shows = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 60_000, interval: 200 });

describe("the stack page in Chromium", () => {
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
    await stageTriggerScenario(github, bosun.database.db, REPOSITORY);
    const session = await signInWithGithub(bosun.url, github, CLIENT, "Codertocat", "ghu_writer");
    const [name, value] = session.split("=", 2) as [string, string];
    context = await browser.newContext();
    await context.addCookies([{ name, value, url: bosun.url }]);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (bosun) await settled(bosun);
    await github?.close();
    await bosun?.close();
    github?.verify();
  });

  it("shows a writer the Trigger menu; Plan only with a runtime config lands on the new run's page", async () => {
    const page = await context.newPage();
    await page.goto(`${bosun.url}${STACK_PAGE}`);
    const environment = page.locator('.environment[data-environment="dev"]');
    await environment.locator("details.trigger > summary").click();
    const form = environment.locator("form.trigger");
    await form
      .locator('textarea[name="runtime_config"]')
      .fill("variables:\n  region: ap-south-1\nenv:\n  TEAM: infra\n");
    await Promise.all([
      page.waitForURL(/\/runs\/[0-9a-f-]{36}$/),
      form.getByRole("button", { name: "Plan only" }).click(),
    ]);

    // The run page follows the run to its end: a plan-only run finishes at its plan.
    await shows(() => page.locator("#run").getAttribute("data-status")).toBe("SUCCEEDED");
    await shows(async () => (await page.locator("h1").innerText()).trim()).toContain(
      "Plan only run · dev",
    );
    const runtimeConfig = page.locator("#runtime-config");
    expect(await runtimeConfig.innerText()).toContain('region = "ap-south-1"');
    expect(await runtimeConfig.innerText()).toContain("TEAM=infra");
    await page.getByRole("link", { name: "network" }).click();
    await page.waitForURL(`${bosun.url}${STACK_PAGE}`);
    await page.close();
  });

  it("sends a Destroy only once it is confirmed, then shows why it was refused", async () => {
    const page = await context.newPage();
    await page.goto(`${bosun.url}${STACK_PAGE}`);
    const environment = page.locator('.environment[data-environment="dev"]');
    await environment.locator("details.trigger > summary").click();
    await environment.locator("details.destroy > summary").click();
    const destroy = environment.getByRole("button", { name: "Destroy", exact: true });

    // Unticked, the browser keeps the form: nothing is posted.
    let posted = 0;
    page.on("request", (request) => {
      if (request.method() === "POST") posted += 1;
    });
    await destroy.click();
    expect(
      await environment
        .locator('input[name="confirm"]')
        .evaluate((input: HTMLInputElement) => input.validity.valueMissing),
    ).toBe(true);
    expect(posted).toBe(0);

    await environment.locator('input[name="confirm"]').check();
    await Promise.all([page.waitForLoadState("load"), destroy.click()]);
    await shows(async () => (await page.locator("#trigger-error").innerText()).trim()).toBe(
      "nothing of network@dev is deployed to destroy",
    );
    expect(posted).toBe(1);
    // The refused form is open again, on the Destroy it was.
    expect(await environment.locator("details.destroy").getAttribute("open")).not.toBeNull();
    await page.close();
  });
});
