import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProbot } from "../../../src/github/create-probot.js";
import { type ProxySettings, proxiedFetch } from "../../../src/lib/proxy-agent.js";
import { createWebhookSender } from "../../../src/notify/send-webhook.js";
import { createSlackPoster } from "../../../src/notify/slack-poster.js";
import { testApp } from "../../helpers/app-credentials.js";
import { type ForwardProxy, startForwardProxy } from "../../helpers/forward-proxy.js";
import {
  expectInstallationToken,
  type GithubFake,
  startGithubFake,
} from "../../helpers/github-fake/index.js";
import {
  startSlackStandIn,
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../helpers/notification-receivers.js";
import { TestOctokit } from "../../helpers/test-bosun.js";

const SECRET = `whsec_${Buffer.alloc(32, 3).toString("base64")}`;

/**
 * Bosun's own requests through a real forward proxy (HTTP_PROXY, tunnelled with CONNECT), and
 * past it for the hosts NO_PROXY names. Every target listens on 127.0.0.1, so that NO_PROXY
 * entry is what sends a request direct.
 */
describe("HTTP(S)_PROXY and NO_PROXY", () => {
  let proxy: ForwardProxy;
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    proxy = await startForwardProxy();
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => {
    await proxy.close();
    await receiver.close();
  });

  const through = (noProxy?: string): ProxySettings => ({
    httpProxy: proxy.url,
    httpsProxy: undefined,
    noProxy,
  });
  const targetOf = (url: string) => new URL(url).host;

  describe("GitHub", () => {
    let github: GithubFake;
    beforeEach(async () => {
      github = await startGithubFake();
    });
    afterEach(async () => {
      await github.close();
      github.verify();
    });

    const readRepository = async (settings: ProxySettings) => {
      expectInstallationToken(github, 7);
      github.expect(
        { method: "GET", path: "/repos/acme/infra" },
        { status: 200, body: { id: 1, full_name: "acme/infra" } },
      );
      const probot = createProbot(
        {
          appId: Number(testApp.appId),
          privateKey: testApp.privateKey,
          webhookSecret: testApp.webhookSecret,
          baseUrl: `http://${github.host}/api/v3`,
        },
        pino({ level: "silent" }),
        TestOctokit,
        undefined,
        { fetch: proxiedFetch(settings) },
      );
      const octokit = await probot.auth(7);
      return (await octokit.rest.repos.get({ owner: "acme", repo: "infra" })).data;
    };

    it("goes through the proxy: the installation token and the API call", async () => {
      expect((await readRepository(through())).full_name).toBe("acme/infra");
      expect(proxy.requests.length).toBeGreaterThanOrEqual(1);
      expect(proxy.requests).toEqual(
        proxy.requests.map(() => ({ method: "CONNECT", target: github.host })),
      );
      expect(github.requests.map((request) => request.front)).toEqual(["loopback", "loopback"]);
    });

    it("goes direct to a host NO_PROXY names", async () => {
      expect((await readRepository(through("example.com, 127.0.0.1"))).full_name).toBe(
        "acme/infra",
      );
      expect(proxy.requests).toEqual([]);
      expect(github.requests).toHaveLength(2);
    });
  });

  describe("notification webhooks", () => {
    const send = (settings: ProxySettings, url: string, publicOnly: boolean) =>
      createWebhookSender({ timeoutMs: 2000, proxy: settings })({
        url,
        secret: SECRET,
        webhookId: "msg_1",
        body: JSON.stringify({ type: "run.created" }),
        timestamp: new Date(),
        publicOnly,
      });

    it("go through the proxy, signed as ever", async () => {
      expect(await send(through(), `${receiver.url}/hook`, false)).toEqual({
        outcome: "delivered",
        status: 200,
      });
      expect(proxy.requests).toEqual([{ method: "CONNECT", target: targetOf(receiver.url) }]);
      expect(receiver.received("/hook")[0]?.headers["webhook-id"]).toBe("msg_1");
    });

    it("go direct to a host NO_PROXY names", async () => {
      expect(await send(through("127.0.0.1"), `${receiver.url}/hook`, false)).toMatchObject({
        outcome: "delivered",
      });
      expect(proxy.requests).toEqual([]);
      expect(receiver.received("/hook")).toHaveLength(1);
    });

    it("to a name that resolves to a private address are refused before the proxy is asked", async () => {
      const port = new URL(receiver.url).port;
      expect(await send(through(), `http://localhost:${port}/hook`, true)).toEqual({
        outcome: "refused",
        error: expect.stringMatching(/^localhost resolves to .+, a non-public address$/),
      });
      expect(await send(through(), `${receiver.url}/hook`, true)).toEqual({
        outcome: "refused",
        error: "127.0.0.1 is a non-public address",
      });
      // Sent direct (NO_PROXY), the check is made at connect time.
      expect(await send(through("localhost"), `http://localhost:${port}/hook`, true)).toEqual({
        outcome: "refused",
        error: expect.stringMatching(/a non-public address$/),
      });
      expect(proxy.requests).toEqual([]);
      expect(receiver.requests).toEqual([]);
    });

    it("that get no answer time out through the proxy too", async () => {
      receiver.on("/hang", () => "hang");
      expect(await send(through(), `${receiver.url}/hang`, false)).toEqual({
        outcome: "timeout",
        error: "no answer within 2000 ms",
      });
    });
  });

  it("Slack is called through the proxy", async () => {
    const slack = await startSlackStandIn();
    try {
      const poster = createSlackPoster({
        token: "xoxb-test-token-123",
        apiUrl: slack.apiUrl,
        timeoutMs: 2000,
        fetch: proxiedFetch(through()),
      });
      expect(await poster.post("#infra", { text: "planned", blocks: [] })).toEqual({
        channel: "C0INFRA",
        ts: "1700000000.000001",
      });
      expect(slack.calls.map((call) => call.method)).toEqual(["chat.postMessage"]);
      expect(proxy.requests).toEqual([{ method: "CONNECT", target: targetOf(slack.apiUrl) }]);
    } finally {
      await slack.close();
    }
  });
});
