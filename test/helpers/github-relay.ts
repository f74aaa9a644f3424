import { createServer, type Server } from "node:http";

/**
 * GitHub on loopback for Bosun processes a test starts: GHE_HOST points them here, and every
 * request is replayed against https://api.github.com from the test process, where the test's
 * fake GitHub (nock) answers and records it. So a child worker talks to the very fake the test
 * asserts on.
 */
export interface GithubRelay {
  host: string;
  close(): Promise<void>;
}

const FORWARDED_REQUEST_HEADERS = ["accept", "authorization", "content-type", "user-agent"];
const FORWARDED_RESPONSE_HEADERS = ["content-type", "retry-after", "link"];

export async function startGithubRelay(): Promise<GithubRelay> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = req.headers[name];
        if (typeof value === "string") headers[name] = value;
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const url = `https://api.github.com${(req.url ?? "/").replace(/^\/api\/v3/, "")}`;
      fetch(url, { method: req.method ?? "GET", headers, ...(body ? { body } : {}) })
        .then(async (response) => {
          const answer: Record<string, string> = {};
          for (const name of FORWARDED_RESPONSE_HEADERS) {
            const value = response.headers.get(name);
            if (value !== null) answer[name] = value;
          }
          res.writeHead(response.status, answer).end(Buffer.from(await response.arrayBuffer()));
        })
        .catch((error: unknown) => {
          res
            .writeHead(599, { "content-type": "application/json" })
            .end(JSON.stringify({ message: `relay: ${String(error)}` }));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
