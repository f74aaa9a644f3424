import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";

/** Answers the request and resolves true, or resolves false to hand it on. */
export type WebhookListener = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** How @octokit/webhooks' middleware takes a body read before it ran. */
type RequestWithBody = IncomingMessage & { body?: string };

const JSON_CONTENT_TYPE = /^\s*application\/json\s*(?:;|$)/i;

/**
 * Runs in front of the webhook middleware (@octokit/webhooks), closing the gaps it leaves:
 * - it reads a body of any length: a declared Content-Length over the limit is refused before
 *   anything is read (web/http-server.ts), but a chunked body declares none. Here the body is read
 *   up to `maxBytes` and answered with 413 past it, the connection closed rather than drained;
 * - it answers an empty body as a signature mismatch, and 500 for a correctly signed JSON value
 *   that is not an object (it reads `"action" in payload`). Both are refused here with 400.
 * Everything else is handed on with the body as `request.body`, which the middleware reads
 * instead of the drained stream (https://github.com/octokit/webhooks.js#createnodemiddleware).
 */
export function guardWebhookRequests(
  deps: {
    maxBytes: number;
    /** The webhook secret's HMAC check (`Webhooks.verify`). */
    verify: (payload: string, signature: string) => Promise<boolean>;
    log: Logger;
  },
  next: WebhookListener,
): WebhookListener {
  return async (req, res) => {
    if (req.method !== "POST") return next(req, res);
    const deliveryId = req.headers["x-github-delivery"];
    const body = await readBody(req, deps.maxBytes);
    if (body === undefined) {
      deps.log.warn({ deliveryId }, "webhook refused: body over the limit");
      reply(res, 413, `payload exceeds GitHub's 25 MB webhook limit (${deps.maxBytes} bytes)`);
      return true;
    }
    (req as RequestWithBody).body = body;
    // Other content types are the middleware's to refuse (415).
    if (!JSON_CONTENT_TYPE.test(req.headers["content-type"] ?? "")) return next(req, res);
    if (body.trim() === "") {
      reply(res, 400, "empty payload: expected a JSON object");
      return true;
    }
    // A JSON object is the only payload GitHub sends; anything else is refused once the
    // signature shows it comes from whoever holds the secret (a bad one is the middleware's).
    const signature = req.headers["x-hub-signature-256"];
    if (
      !body.trimStart().startsWith("{") &&
      typeof signature === "string" &&
      (await deps.verify(body, signature).catch(() => false))
    ) {
      deps.log.warn({ deliveryId }, "webhook refused: payload is not a JSON object");
      reply(res, 400, "payload: expected a JSON object");
      return true;
    }
    return next(req, res);
  };
}

function reply(res: ServerResponse, status: 400 | 413, error: string): void {
  res
    .writeHead(status, {
      "content-type": "application/json",
      ...(status === 413 ? { connection: "close" } : {}),
    })
    .end(JSON.stringify({ error }));
}

/** The body as text, or undefined once it passes `maxBytes` (the rest is then discarded). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!over) resolve(new TextDecoder("utf-8").decode(Buffer.concat(chunks)));
    });
    req.on("error", reject);
  });
}
