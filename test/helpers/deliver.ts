import { Webhooks } from "@octokit/webhooks";
import { randomUUID } from "node:crypto";
import { testApp } from "./app-credentials.js";

const signer = new Webhooks({ secret: testApp.webhookSecret });

/** Sends a webhook the way GitHub does: signed JSON over HTTP to the webhook path. */
export async function deliver(
  baseUrl: string,
  event: string,
  payload: unknown,
  options: { deliveryId?: string; signature?: string; path?: string } = {},
): Promise<{ status: number; body: string; deliveryId: string }> {
  const body = JSON.stringify(payload);
  const deliveryId = options.deliveryId ?? randomUUID();
  const response = await fetch(`${baseUrl}${options.path ?? "/api/github/webhooks"}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-hub-signature-256": options.signature ?? (await signer.sign(body)),
      "user-agent": "GitHub-Hookshot/test",
    },
    body,
  });
  return { status: response.status, body: await response.text(), deliveryId };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
