import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import type { Logger } from "pino";
import { requestPathname } from "./request-pathname.js";

/** GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** Answers the request when the path is the webhook path; false hands it on. */
export type WebhookListener = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * One HTTP server: the webhook path goes to Probot's middleware (which checks the signature), every
 * other path to the Hono app (health, pages, APIs).
 */
export function createHttpServer(deps: {
  webhookPath: string;
  webhooks: WebhookListener;
  routes: Hono;
  log: Logger;
}): Server {
  const pages = getRequestListener(deps.routes.fetch);
  const webhookPath = requestPathname(deps.webhookPath);
  return createServer((req, res) => {
    if (requestPathname(req.url ?? "/") !== webhookPath) {
      void pages(req, res);
      return;
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > MAX_WEBHOOK_BYTES) {
      // Answered before a byte of it is read, and the connection closed after the answer.
      res.writeHead(413, { "content-type": "application/json", connection: "close" }).end(
        JSON.stringify({
          error: `payload of ${declared} bytes exceeds GitHub's 25 MB webhook limit`,
        }),
      );
      req.resume();
      return;
    }
    deps.webhooks(req, res).then(
      (handled) => {
        if (!handled && !res.headersSent) reply(res, 404, "not found");
      },
      (error: unknown) => {
        deps.log.error({ err: error }, "webhook handling failed");
        if (!res.headersSent) reply(res, 500, "internal error");
      },
    );
  });
}

function reply(res: ServerResponse, status: number, error: string): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error }));
}

export function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}
