import { readFile } from "node:fs/promises";
import { eq } from "drizzle-orm";
import { type Browser, type BrowserContext, type Locator } from "playwright-core";
import { launchChromium } from "../helpers/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveKey, signGrant } from "../../src/lib/signed-link.js";
import { runComponents } from "../../src/store/schema/index.js";
import { deliver, eventually } from "../helpers/deliver.js";
import {
  startGithubFake,
  type GithubFake,
  type FakeRepository,
} from "../helpers/github-fake/index.js";
import {
  commentOnPullRequest,
  HEAD,
  inRepository,
  openedExample,
  stagePullRequest,
  type ScenarioRepository,
} from "../helpers/pull-request-scenario.js";
import { networkSpec, seedRun } from "../helpers/seed.js";
import { standInWith } from "../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../helpers/test-bosun.js";

/**
 * The run pages in a real headless Chromium (Debian's `chromium`, which .ci/run installs), on
 * runs made by the real app: a pull request planned by the stand-in engine (slowed down, so the
 * page can be seen following it), applied by `/apply`.
 */

const REPOSITORY: ScenarioRepository = { id: 810_001, fullName: "Codertocat/run-pages" };

/** Waits for what the page shows (Playwright's own matchers belong to @playwright/test). */
const shows = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 60_000, interval: 200 });
const textOf = async (locator: Locator) => (await locator.innerText()).trim();

describe("run pages in Chromium", () => {
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;
  let browser: Browser;
  let runLink: string;
  let runId: string;

  const sign = (scope: `run:${string}` | `repo:${number}`) =>
    signGrant(deriveKey(bosun.config.encryptionKey, "run-page links"), {
      scope,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });
  const newContext = (): Promise<BrowserContext> =>
    browser.newContext({
      acceptDownloads: true,
      permissions: ["clipboard-read", "clipboard-write"],
    });

  beforeAll(async () => {
    browser = await launchChromium();
    const port = await freePort();
    bosun = await startTestBosun("pglite", {
      port,
      env: {
        BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
        // Each resource takes a while to plan and apply, so the page has something to follow.
        BOSUN_TOFU_BIN: await standInWith({ STANDIN_DELAY_MS: "700" }),
        BOSUN_WORKERS: "2",
      },
    });
    github = await startGithubFake();
    repo = github.repository(REPOSITORY.fullName);
    await stagePullRequest(repo);

    const opened = await deliver(
      bosun.url,
      "pull_request",
      inRepository(openedExample, REPOSITORY),
    );
    expect(opened.status).toBe(200);
    runLink = await eventually(async () => repo.checkRun("bosun/dev")?.details_url, {
      timeoutMs: 30_000,
    });
    runId = new URL(runLink).pathname.split("/").at(-1)!;
  });

  afterAll(async () => {
    await browser?.close();
    if (bosun) await settled(bosun);
    await github?.close();
    await bosun?.close();
    github?.verify();
  });

  it("follows a live run to its end without reloading", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(runLink);
    // The token went into the session cookie and out of the address bar.
    expect(page.url()).toBe(`${bosun.url}/runs/${runId}`);
    await page.evaluate(() => {
      (window as unknown as { loadedOnce: boolean }).loadedOnce = true;
    });
    await page.locator("#live").waitFor();
    // Planned: waits for approval, still live.
    await page.locator('#run[data-status="PLANNED"]').waitFor({ timeout: 60_000 });
    expect(await page.locator("#run").getAttribute("data-finished")).toBe("false");
    await shows(() => page.locator(".component .phase", { hasText: "Planning" }).count()).toBe(1);

    expect(
      (await deliver(bosun.url, "issue_comment", commentOnPullRequest(REPOSITORY, "/apply")))
        .status,
    ).toBe(200);
    await page.locator('#run[data-status="SUCCEEDED"]').waitFor({ timeout: 60_000 });
    expect(await page.locator("#run").getAttribute("data-finished")).toBe("true");
    await shows(() => page.locator("#live").count()).toBe(0);
    await shows(() => page.locator(".component .phase", { hasText: "Applying" }).count()).toBe(1);
    await shows(() => textOf(page.locator("dl.meta"))).toContain("Codertocat");
    // Same document all along: the page updated itself.
    expect(
      await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce),
    ).toBe(true);
    await context.close();
  });

  it("opens a finished run, expands a phase, copies and downloads its log", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(runLink);
    await shows(() => page.locator("#run").getAttribute("data-status")).toBe("SUCCEEDED");
    await shows(() => textOf(page.locator("h1"))).toContain("Proposed (plan only) run · dev");
    await shows(() => textOf(page.locator("h1 .delta"))).toBe("+1 ~0 -0");
    await shows(() => textOf(page.locator("#run-id"))).toBe(runId);
    // The whole history, waiting states included, in order.
    const steps = await page.locator(".component ol.phases > li .phase").allInnerTexts();
    expect(steps).toEqual([
      "Queued",
      "Preparing",
      "Initializing",
      "Planning",
      "Unconfirmed",
      "Confirmed",
      "Preparing",
      "Initializing",
      "Applying",
      "Finished",
    ]);

    const planning = page.locator("details[data-phase-id]", {
      has: page.locator(".phase", { hasText: /^Planning$/ }),
    });
    await planning.locator("summary").click();
    const log = planning.locator("[data-log]");
    await shows(() => textOf(log)).toContain("null_resource.vpc");
    const shown = await log.textContent();

    await planning.locator("button[data-copy-log]").click();
    await shows(() => textOf(planning.locator(".status"))).toBe("Copied to the clipboard");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(shown);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      planning.getByText("Download").click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^bosun-[0-9a-f]{8}-planning\.log$/);
    // The page shows the engine's messages; the download is the log as stored (masked).
    expect(shown).toMatch(/^\d\d:\d\d:\d\d {2}null_resource\.vpc: Plan to create$/m);
    const downloaded = await readFile((await download.path())!, "utf8");
    const messages = downloaded
      .trimEnd()
      .split("\n")
      .map((line) => (JSON.parse(line) as { "@message": string })["@message"]);
    expect(messages).toContain("null_resource.vpc: Plan to create");
    expect(messages).toHaveLength(shown!.split("\n").length);

    if (process.env.UPDATE_RUN_PAGE_SCREENSHOT) {
      await page.setViewportSize({ width: 1100, height: 900 });
      await page.screenshot({ path: "docs/run-page.png", fullPage: true });
    }

    // The JSON API answers with the same cookie; the component's revisions name this run.
    const api = await page.evaluate(async (id) => (await fetch(`/api/runs/${id}`)).json(), runId);
    expect(api).toMatchObject({ id: runId, status: "SUCCEEDED", finished: true });
    await context.close();
  });

  it("filters and pages a repository's runs", async () => {
    const seeded = await Promise.all(
      Array.from({ length: 12 }, () =>
        seedRun(bosun.database.db, networkSpec(), HEAD.replace(/.$/, "9"), REPOSITORY.id),
      ),
    );
    for (const run of seeded) {
      await bosun.database.db
        .update(runComponents)
        .set({ phase: "FINISHED" })
        .where(eq(runComponents.id, run.runComponentId));
    }
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(
      `${bosun.url}/repos/${REPOSITORY.fullName}/runs?token=${sign(`repo:${REPOSITORY.id}`)}`,
    );
    await shows(() => textOf(page.locator("#page-info"))).toBe("Page 1 of 1 · 13 runs");

    await page.locator("#per-page").selectOption("10");
    await shows(() => textOf(page.locator("#page-info"))).toBe("Page 1 of 2 · 13 runs");
    await shows(() => page.locator("table.runs tbody tr").count()).toBe(10);
    await page.locator("a[rel=next]").click();
    await shows(() => textOf(page.locator("#page-info"))).toBe("Page 2 of 2 · 13 runs");
    await shows(() => page.locator("table.runs tbody tr").count()).toBe(3);

    await page.locator("#triggered-by").selectOption("Codertocat");
    await shows(() => textOf(page.locator("#page-info"))).toBe("Page 1 of 1 · 1 runs");
    await shows(() => page.locator("table.runs tbody tr").count()).toBe(1);
    await shows(() => textOf(page.locator(`tr[data-run-id="${runId}"] td.triggered-by`))).toContain(
      "Codertocat",
    );
    await page.locator(`tr[data-run-id="${runId}"] a`, { hasText: "View" }).click();
    await shows(() => textOf(page.locator("#run-id"))).toBe(runId);
    // With the repository's grant the breadcrumb and the component timeline open too.
    await page.locator(".component a", { hasText: "revisions" }).click();
    await shows(() => page.locator("li[data-revision-id]").count()).toBe(1);
    await shows(() => textOf(page.locator("li[data-revision-id] a"))).toBe(runId.slice(0, 8));
    await context.close();
  });

  it("refuses without a valid link", async () => {
    const context = await newContext();
    const page = await context.newPage();
    const anonymous = await page.goto(`${bosun.url}/runs/${runId}`);
    expect(anonymous?.status()).toBe(401);
    await shows(() => textOf(page.locator("h1"))).toBe("Sign in to see this run");
    expect(await textOf(page.locator("body"))).not.toContain("null_resource");

    const tampered = runLink.replace(/.(?=$)/, (last) => (last === "A" ? "B" : "A"));
    expect((await page.goto(tampered))?.status()).toBe(401);
    const expired = signGrant(deriveKey(bosun.config.encryptionKey, "run-page links"), {
      scope: `run:${runId}`,
      expiresAt: Math.floor(Date.now() / 1000) - 1,
    });
    expect((await page.goto(`${bosun.url}/runs/${runId}?token=${expired}`))?.status()).toBe(401);
    expect((await page.goto(`${bosun.url}/api/runs/${runId}/logs`))?.status()).toBe(401);
    expect((await page.goto(`${bosun.url}/repos/${REPOSITORY.fullName}/runs`))?.status()).toBe(401);

    // A valid link to another run opens that run only: this one is "not found".
    const other = sign("run:00000000-0000-4000-8000-000000000000");
    await page.goto(`${bosun.url}/runs/00000000-0000-4000-8000-000000000000?token=${other}`);
    expect((await page.goto(`${bosun.url}/runs/${runId}`))?.status()).toBe(404);
    const api = await page.goto(`${bosun.url}/api/runs/${runId}`);
    expect(api?.status()).toBe(404);
    expect(await api?.json()).toEqual({ error: "Not found, or not visible to you." });
    expect((await page.goto(`${bosun.url}/repos/${REPOSITORY.fullName}/runs`))?.status()).toBe(404);
    await context.close();
  });
});
