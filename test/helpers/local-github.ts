import { createServer, type Server } from "node:http";

/**
 * A GitHub on loopback, for Bosun processes a test starts (nock cannot reach into another
 * process): GHE_HOST and GHE_PROTOCOL point them here. It answers the documented endpoints a
 * worker uses and records every request; anything else gets 404 and is listed in `unexpected`.
 */
export interface LocalGithub {
  host: string;
  requests: string[];
  unexpected: string[];
  tarballs: Map<string, Buffer>;
  close(): Promise<void>;
}

export async function startLocalGithub(): Promise<LocalGithub> {
  const requests: string[] = [];
  const unexpected: string[] = [];
  const tarballs = new Map<string, Buffer>();
  let nextId = 1;
  const server: Server = createServer((req, res) => {
    const line = `${req.method} ${req.url}`;
    requests.push(line);
    req.resume();
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    const path = (req.url ?? "").split("?")[0] ?? "";
    if (req.method === "POST" && /^\/api\/v3\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return json(201, { token: "ghs_localtoken", expires_at: "2999-01-01T00:00:00Z" });
    }
    const tarball = /^\/api\/v3\/repos\/[^/]+\/[^/]+\/tarball\/([0-9a-f]{40})$/.exec(path);
    if (req.method === "GET" && tarball) {
      const archive = tarballs.get(tarball[1]!);
      if (archive) return res.writeHead(200, { "content-type": "application/x-gzip" }).end(archive);
    }
    if (req.method === "POST" && /^\/api\/v3\/repos\/[^/]+\/[^/]+\/check-runs$/.test(path)) {
      return json(201, { id: (nextId += 1) });
    }
    if (req.method === "PATCH" && /^\/api\/v3\/repos\/[^/]+\/[^/]+\/check-runs\/\d+$/.test(path)) {
      return json(200, { id: Number(path.split("/").at(-1)) });
    }
    unexpected.push(line);
    return json(404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    unexpected,
    tarballs,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
