import pino from "pino";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProbot } from "../../../src/github/create-probot.js";
import { createPrometheusMetrics } from "../../../src/metrics/prometheus-metrics.js";
import { testApp } from "../../helpers/app-credentials.js";
import {
  expectInstallationToken,
  type GithubFake,
  startGithubFake,
} from "../../helpers/github-fake/index.js";
import { parsePrometheusText, sampleValue } from "../../helpers/prometheus-text.js";

/** Probot's client with throttling on (as in production) and retries of 5xx off. */
const ThrottledOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
}));

const REPO = { method: "GET", path: "/repos/acme/infra" } as const;
const found = { status: 200, body: { id: 1, full_name: "acme/infra" } };

/**
 * GitHub's limits (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api):
 * a secondary limit answers 403 saying so, with `Retry-After`; a primary one answers 403 with
 * `x-ratelimit-remaining: 0` until `x-ratelimit-reset`. Real waits against the fake GitHub.
 */
describe("GitHub's rate limits", () => {
  let github: GithubFake;
  let prometheus: ReturnType<typeof createPrometheusMetrics>;
  let octokit: Awaited<ReturnType<ReturnType<typeof createProbot>["auth"]>>;

  beforeEach(async () => {
    github = await startGithubFake();
    expectInstallationToken(github, 7);
    // No database here: the scrape's counts read from one are empty.
    prometheus = createPrometheusMetrics({
      readSnapshot: async () => ({ runs: [], queues: [], connections: undefined }),
      sandbox: undefined,
    });
    const probot = createProbot(
      {
        appId: Number(testApp.appId),
        privateKey: testApp.privateKey,
        webhookSecret: testApp.webhookSecret,
        baseUrl: undefined,
      },
      pino({ level: "silent" }),
      ThrottledOctokit,
      undefined,
      { metrics: prometheus.metrics },
    );
    octokit = await probot.auth(7);
  });
  afterEach(async () => {
    await github.close();
    github.verify();
  });

  const scrape = async () => parsePrometheusText((await prometheus.exposition()).body);

  it("waits out a secondary rate limit's Retry-After once, then the request succeeds", async () => {
    github.expect(REPO, {
      status: 403,
      headers: { "retry-after": "1" },
      body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes." },
    });
    github.expect(REPO, {
      ...found,
      headers: { "x-ratelimit-remaining": "4321", "x-ratelimit-resource": "core" },
    });
    const started = Date.now();
    const { data } = await octokit.rest.repos.get({ owner: "acme", repo: "infra" });
    expect(data.full_name).toBe("acme/infra");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(github.requests.filter((request) => request.path === REPO.path)).toHaveLength(2);

    const samples = await scrape();
    expect(
      sampleValue(samples, "bosun_github_rate_limit_waits_total", {
        limit: "secondary",
        outcome: "waited",
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, "bosun_github_rate_limit_wait_seconds_total", { limit: "secondary" }),
    ).toBe(1);
    // The request counts once, with the answer it finally got.
    expect(
      sampleValue(samples, "bosun_github_requests_total", { route: "GET /repos/{owner}/{repo}" }),
    ).toBe(1);
    expect(
      sampleValue(samples, "bosun_github_requests_total", {
        route: "GET /repos/{owner}/{repo}",
        status: "200",
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, "bosun_github_rate_limit_remaining", {
        installation: "7",
        resource: "core",
      }),
    ).toBe(4321);
  });

  it("waits for a primary limit's reset when it is near, then retries", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 1;
    github.expect(REPO, {
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
      body: { message: "API rate limit exceeded for installation ID 7." },
    });
    github.expect(REPO, found);
    const { data } = await octokit.rest.repos.get({ owner: "acme", repo: "infra" });
    expect(data.full_name).toBe("acme/infra");
    expect(Date.now()).toBeGreaterThanOrEqual(reset * 1000);
    expect(
      sampleValue(await scrape(), "bosun_github_rate_limit_waits_total", {
        limit: "primary",
        outcome: "waited",
      }),
    ).toBe(1);
  });

  it("gives up at once when GitHub asks for more than a minute, and says so", async () => {
    github.expect(REPO, {
      status: 403,
      headers: { "retry-after": "120" },
      body: { message: "You have exceeded a secondary rate limit." },
    });
    const started = Date.now();
    await expect(octokit.rest.repos.get({ owner: "acme", repo: "infra" })).rejects.toMatchObject({
      status: 403,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    const samples = await scrape();
    expect(
      sampleValue(samples, "bosun_github_rate_limit_waits_total", {
        limit: "secondary",
        outcome: "gave_up",
      }),
    ).toBe(1);
    // Nothing was waited.
    expect(
      sampleValue(samples, "bosun_github_rate_limit_wait_seconds_total", { limit: "secondary" }),
    ).toBeUndefined();
    expect(
      sampleValue(samples, "bosun_github_requests_total", {
        route: "GET /repos/{owner}/{repo}",
        status: "403",
      }),
    ).toBe(1);
  });

  it("waits at most twice for one request", async () => {
    for (let answer = 0; answer < 3; answer += 1) {
      github.expect(REPO, {
        status: 429,
        headers: { "retry-after": "1" },
        body: { message: "You have exceeded a secondary rate limit." },
      });
    }
    await expect(octokit.rest.repos.get({ owner: "acme", repo: "infra" })).rejects.toMatchObject({
      status: 429,
    });
    const samples = await scrape();
    expect(
      sampleValue(samples, "bosun_github_rate_limit_waits_total", {
        limit: "secondary",
        outcome: "waited",
      }),
    ).toBe(2);
    expect(
      sampleValue(samples, "bosun_github_rate_limit_waits_total", {
        limit: "secondary",
        outcome: "gave_up",
      }),
    ).toBe(1);
  });
});
