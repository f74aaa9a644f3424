import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { Webhook } from "standardwebhooks";
import { request as undiciRequest } from "undici";
import { createProxyDispatcher, type ProxySettings } from "../lib/proxy-agent.js";
import { parseRetryAfter } from "../domain/notification-retry.js";
import type { WebhookAnswer, WebhookSender } from "../services/notification-port.js";
import { isPublicAddress } from "./public-address.js";

/** Raised inside the connection when a host resolves to an address that is not public. */
class RefusedAddressError extends Error {
  readonly code = "EBOSUNREFUSED";
}

/**
 * A DNS lookup that refuses non-public answers. It runs at connect time, on the very addresses the
 * socket will use, so a name that resolves to a public address when checked and to a private one
 * when connecting (DNS rebinding) is still refused.
 */
function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: (
    error: NodeJS.ErrnoException | null,
    address: string | LookupAddress[],
    family?: number,
  ) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused) {
      return callback(
        new RefusedAddressError(`${hostname} resolves to ${refused.address}, a non-public address`),
        [],
      );
    }
    if (options.all) return callback(null, addresses);
    const [first] = addresses;
    return first ? callback(null, first.address, first.family) : callback(null, [], 4);
  });
}

/** Every address a host name resolves to, refused when one is not public. */
function checkPublicHost(hostname: string): Promise<void> {
  return new Promise((resolve, reject) => {
    publicOnlyLookup(hostname, { all: true }, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * Sends signed webhooks (Standard Webhooks, through its reference library): one POST per call,
 * given up after `timeoutMs` whatever the receiver does, its answer's body read and dropped.
 * With `proxy` (HTTP(S)_PROXY), requests go through it unless NO_PROXY names the host.
 */
export function createWebhookSender(options: {
  timeoutMs: number;
  proxy?: ProxySettings | undefined;
}): WebhookSender {
  return async (request) => {
    const url = new URL(request.url);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return { outcome: "refused", error: `${url.protocol} URLs are not sent to` };
    }
    // An IP literal is connected to without a lookup: check it here.
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (request.publicOnly && isIP(host) !== 0 && !isPublicAddress(host)) {
      return { outcome: "refused", error: `${host} is a non-public address` };
    }
    const signature = new Webhook(request.secret).sign(
      request.webhookId,
      request.timestamp,
      request.body,
    );
    const headers = {
      "content-type": "application/json",
      "user-agent": "Bosun-Webhooks/1",
      "webhook-id": request.webhookId,
      "webhook-timestamp": String(Math.floor(request.timestamp.getTime() / 1000)),
      "webhook-signature": signature,
    };
    if (options.proxy) {
      return sendThroughProxy(options.proxy, options.timeoutMs, url, headers, request);
    }
    return new Promise<WebhookAnswer>((resolve) => {
      let settled = false;
      const finish = (answer: WebhookAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(answer);
      };
      const send = url.protocol === "https:" ? https.request : http.request;
      const req = send(url, {
        method: "POST",
        headers,
        ...(request.publicOnly ? { lookup: publicOnlyLookup } : {}),
        // No connection reuse: each attempt resolves (and checks) the host again.
        agent: false,
      });
      // The whole attempt, answer's body included, is bounded: a receiver that hangs at any
      // point holds a worker for `timeoutMs` at most.
      const timer = setTimeout(() => {
        finish({ outcome: "timeout", error: `no answer within ${options.timeoutMs} ms` });
        req.destroy();
      }, options.timeoutMs);
      req.on("response", (res) => {
        const status = res.statusCode ?? 0;
        res.on("error", () => undefined);
        res.resume();
        res.on("end", () => {
          if (status >= 200 && status < 300) return finish({ outcome: "delivered", status });
          finish({
            outcome: "failed",
            status,
            retryAfterMs: parseRetryAfter(res.headers["retry-after"], Date.now()),
            error: `answered ${status}`,
          });
        });
      });
      req.on("error", (error) => {
        finish(
          error instanceof RefusedAddressError
            ? { outcome: "refused", error: error.message }
            : {
                outcome: "failed",
                status: undefined,
                retryAfterMs: undefined,
                error: error.message,
              },
        );
      });
      req.end(request.body);
    });
  };
}

/**
 * The same POST on undici, with the operator's proxy. A proxy resolves the target's name itself,
 * so a target that must be public has its name resolved and checked here first; a host NO_PROXY
 * sends direct is checked again at connect time, on the address the socket uses. A name that
 * resolves differently for the proxy (DNS rebinding between the two lookups) is the proxy's to
 * refuse: docs/security.md, "Notifications".
 */
async function sendThroughProxy(
  proxy: ProxySettings,
  timeoutMs: number,
  url: URL,
  headers: Record<string, string>,
  request: Parameters<WebhookSender>[0],
): Promise<WebhookAnswer> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // One dispatcher per attempt, closed after it: no connection reuse, as on the direct path.
  const dispatcher = createProxyDispatcher(
    proxy,
    request.publicOnly ? { lookup: publicOnlyLookup } : undefined,
  );
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    if (request.publicOnly && isIP(host) === 0) await checkPublicHost(host);
    const answer = await undiciRequest(url, {
      method: "POST",
      headers,
      body: request.body,
      dispatcher,
      signal,
    });
    await answer.body.dump();
    const status = answer.statusCode;
    if (status >= 200 && status < 300) return { outcome: "delivered", status };
    const retryAfter = answer.headers["retry-after"];
    return {
      outcome: "failed",
      status,
      retryAfterMs: parseRetryAfter(
        Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        Date.now(),
      ),
      error: `answered ${status}`,
    };
  } catch (error) {
    const refused = [error, (error as { cause?: unknown }).cause].find(
      (candidate) => candidate instanceof RefusedAddressError,
    );
    if (refused) return { outcome: "refused", error: refused.message };
    if (signal.aborted) return { outcome: "timeout", error: `no answer within ${timeoutMs} ms` };
    return {
      outcome: "failed",
      status: undefined,
      retryAfterMs: undefined,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    void dispatcher.close().catch(() => undefined);
  }
}
