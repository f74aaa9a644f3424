import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { siteOf } from "./sites.js";
import {
  decodeBody,
  encodeReply,
  type FakeReply,
  type FakeRequest,
  type SiteUrls,
} from "./wire.js";

export interface LoopbackFront {
  /** `127.0.0.1:PORT`, for GHE_HOST (with GHE_PROTOCOL=http). */
  host: string;
  close(): Promise<void>;
}

/**
 * GitHub's sites on a loopback port, laid out as GitHub Enterprise Server lays them out (the API
 * under `/api/v3`, archives under `/_codeload`), for the Bosun processes a test starts: nock cannot
 * reach into another process.
 */
export async function listenOnLoopback(
  answer: (request: FakeRequest, urls: SiteUrls) => FakeReply,
): Promise<LoopbackFront> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const host = `127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const urls: SiteUrls = {
    api: `http://${host}/api/v3`,
    web: `http://${host}`,
    codeload: `http://${host}/_codeload`,
  };
  // Attached once the port, and so where each site is, is known: no request can come before.
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", urls.web);
      const where = siteOf(urls, url);
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
      );
      const reply = answer(
        {
          front: "loopback",
          site: where?.site ?? "web",
          method: req.method ?? "GET",
          path: where?.path ?? url.pathname,
          query: url.search.slice(1),
          headers,
          body: decodeBody(Buffer.concat(chunks).toString("utf8"), headers["content-type"]),
        },
        urls,
      );
      const wire = encodeReply(reply);
      res.writeHead(reply.status, wire.headers).end(wire.body);
    });
    // A worker the test kills may leave mid-request; nothing is left to answer.
    req.on("error", () => undefined);
    res.on("error", () => undefined);
  });
  return {
    host,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
