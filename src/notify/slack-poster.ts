import { WebClient, type WebClientOptions } from "@slack/web-api";
import type { SlackPoster } from "../services/notification-port.js";

/**
 * Slack through its official Web API client. The client's own retries are off: a failed call
 * fails the delivery, which is retried with the others' backoff (src/domain/notification-retry.ts).
 */
export function createSlackPoster(options: {
  token: string;
  apiUrl: string;
  timeoutMs: number;
  /** The HTTPS_PROXY-aware fetch (src/lib/proxy-agent.ts); the global one when undefined. */
  fetch?: typeof fetch | undefined;
}): SlackPoster {
  const client = new WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    // Slack declares its own Response shape; this project's TypeScript lib has no iterable
    // Headers, which is all that differs.
    ...(options.fetch ? { fetch: options.fetch as unknown as WebClientOptions["fetch"] } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs,
  });
  return {
    async post(channel, message) {
      const answer = await client.chat.postMessage({ channel, ...message, unfurl_links: false });
      if (!answer.ts || !answer.channel) throw new Error("chat.postMessage answered no ts");
      return { channel: answer.channel, ts: answer.ts };
    },
    async update(channel, ts, message) {
      await client.chat.update({ channel, ts, ...message });
    },
    async reply(channel, threadTs, text) {
      await client.chat.postMessage({ channel, thread_ts: threadTs, text });
    },
  };
}
