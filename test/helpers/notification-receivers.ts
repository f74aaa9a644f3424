import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** How a path answers: a status, or `hang` (never answers). */
export type Answer = number | "hang";

/** A local HTTP receiver of webhooks: records every request, answers each path as told. */
export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  on(path: string, answers: (nth: number) => Answer): void;
  received(path: string): ReceivedRequest[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const behaviours = new Map<string, (nth: number) => Answer>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = req.url ?? "/";
      const nth = requests.filter((request) => request.path === path).length;
      requests.push({
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      });
      const answer = behaviours.get(path)?.(nth) ?? 200;
      if (answer === "hang") return;
      res.writeHead(answer).end();
    });
  });
  const url = await listen(server);
  return {
    url,
    requests,
    on: (path, answers) => behaviours.set(path, answers),
    received: (path) => requests.filter((request) => request.path === path),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface SlackCall {
  method: string;
  params: Record<string, string>;
}

/**
 * A stand-in for Slack's Web API (api.slack.com/web): form-encoded or JSON calls to
 * `/api/<method>`, answered `{ok: true, channel, ts}` as Slack answers chat.postMessage and
 * chat.update. Every call is recorded.
 */
export async function startSlackStandIn(): Promise<{
  apiUrl: string;
  calls: SlackCall[];
  close(): Promise<void>;
}> {
  const calls: SlackCall[] = [];
  let messages = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString();
      const method = (req.url ?? "").replace(/^\/api\//, "");
      const params = req.headers["content-type"]?.includes("json")
        ? (JSON.parse(text) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(text));
      calls.push({ method, params });
      const ts =
        method === "chat.update"
          ? params.ts
          : `1700000000.${String((messages += 1)).padStart(6, "0")}`;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, channel: "C0INFRA", ts }));
    });
  });
  const url = await listen(server);
  return {
    apiUrl: `${url}/api/`,
    calls,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
