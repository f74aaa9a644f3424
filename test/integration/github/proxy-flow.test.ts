import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver, eventually } from "../../helpers/deliver.js";
import { type ForwardProxy, startForwardProxy } from "../../helpers/forward-proxy.js";
import { type GithubFake, startGithubFake } from "../../helpers/github-fake/index.js";
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../helpers/notification-receivers.js";
import {
  inRepository,
  openedExample,
  stagePullRequest,
} from "../../helpers/pull-request-scenario.js";
import { settled, startFlowBosun, type TestBosun } from "../../helpers/test-bosun.js";

/**
 * A pull request planned by a Bosun whose HTTP_PROXY is a real forward proxy: every request to
 * GitHub (token, reads, tarballs, check runs) and the operator's notification webhook go
 * through it, while the engine's state backend requests, which are Bosun's own address, do not.
 */
describe("a pull request's plan behind HTTP_PROXY", () => {
  let bosun: TestBosun;
  let github: GithubFake;
  let proxy: ForwardProxy;
  let receiver: WebhookReceiver;
  const repository = { id: 890_101, fullName: "Codertocat/proxied" };

  beforeAll(async () => {
    proxy = await startForwardProxy();
    receiver = await startWebhookReceiver();
    github = await startGithubFake();
    bosun = await startFlowBosun("pglite", {
      env: {
        GHE_HOST: github.host,
        GHE_PROTOCOL: "http",
        HTTP_PROXY: proxy.url,
        BOSUN_NOTIFY_URL: `${receiver.url}/server`,
        BOSUN_NOTIFY_SECRET: `whsec_${randomBytes(32).toString("base64")}`,
      },
    });
  });
  afterAll(async () => {
    await bosun?.close();
    await github?.close();
    await proxy?.close();
    await receiver?.close();
  });

  it("sends GitHub's requests and the notification through the proxy", async () => {
    const repo = github.repository(repository.fullName);
    await stagePullRequest(repo);
    expect(
      (await deliver(bosun.url, "pull_request", inRepository(openedExample, repository))).status,
    ).toBe(200);
    await eventually(
      async () =>
        receiver
          .received("/server")
          .some((request) => request.body.includes('"run.unconfirmed"')) || undefined,
      { timeoutMs: 60_000 },
    );
    await settled(bosun);
    github.verify();

    expect(repo.checkRuns.map((run) => run.conclusion)).toContain("action_required");
    // Every request reached the fake over loopback, and only through tunnels the proxy opened.
    expect(github.requests.length).toBeGreaterThan(5);
    expect(github.requests.every((request) => request.front === "loopback")).toBe(true);
    const targets = new Set(proxy.requests.map((request) => `${request.method} ${request.target}`));
    expect(targets).toEqual(
      new Set([`CONNECT ${github.host}`, `CONNECT ${new URL(receiver.url).host}`]),
    );
  });
});
