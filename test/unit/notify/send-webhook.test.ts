import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhookSender } from "../../../src/notify/send-webhook.js";
import { isPublicAddress } from "../../../src/notify/public-address.js";
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../helpers/notification-receivers.js";

const secret = `whsec_${randomBytes(32).toString("base64")}`;

describe("createWebhookSender", () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });
  const send = createWebhookSender({ timeoutMs: 500 });
  const request = (path: string, publicOnly: boolean, host = "127.0.0.1") => ({
    url: `${receiver.url.replace("127.0.0.1", host)}${path}`,
    secret,
    webhookId: "msg_1",
    body: '{"type":"run.created"}',
    timestamp: new Date(),
    publicOnly,
  });

  it("signs with the Standard Webhooks scheme", async () => {
    expect(await send(request("/ok", false))).toEqual({ outcome: "delivered", status: 200 });
    const [received] = receiver.received("/ok");
    expect(
      new Webhook(secret).verify(received!.body, received!.headers as Record<string, string>),
    ).toEqual({
      type: "run.created",
    });
  });

  it("refuses a repository's target on a private address, by IP or by name, and sends nothing", async () => {
    expect(await send(request("/private", true))).toMatchObject({ outcome: "refused" });
    // localhost resolves to a loopback address at connect time (the lookup is checked).
    expect(await send(request("/private", true, "localhost"))).toMatchObject({
      outcome: "refused",
      error: expect.stringMatching(/non-public address/),
    });
    expect(receiver.received("/private")).toEqual([]);
  });

  it("times out a receiver that hangs, and counts a 5xx as a failure", async () => {
    receiver.on("/hang", () => "hang");
    const started = Date.now();
    expect(await send(request("/hang", false))).toMatchObject({ outcome: "timeout" });
    expect(Date.now() - started).toBeLessThan(2_000);
    receiver.on("/busy", () => 503);
    expect(await send(request("/busy", false))).toMatchObject({ outcome: "failed", status: 503 });
  });

  it.each([
    ["127.0.0.1", false],
    ["10.1.2.3", false],
    ["172.20.0.1", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["::1", false],
    ["fd00::1", false],
    ["fe80::1", false],
    ["::ffff:127.0.0.1", false],
    ["8.8.8.8", true],
    ["2606:4700::1111", true],
  ])("isPublicAddress(%s) is %s", (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});
