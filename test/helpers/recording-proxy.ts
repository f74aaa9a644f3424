import http from "node:http";

/** One request that went through the proxy, with Bosun's answer. */
export interface ProxiedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  status: number;
  /** The lock ID a LOCK or UNLOCK body carried. */
  lockId: string | undefined;
}

export interface RecordingProxy {
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of Bosun that records each request and its answer: how a test
 * sees what a real engine said to the state backend (LOCK, POST ?ID=, UNLOCK) and what it got.
 */
export async function recordingProxy(targetPort: number): Promise<RecordingProxy> {
  const requests: ProxiedRequest[] = [];
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const forward = http.request(
        {
          host: "127.0.0.1",
          port: targetPort,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          requests.push({
            method: incoming.method ?? "",
            url: incoming.url ?? "",
            status: answer.statusCode ?? 0,
            lockId: lockIdOf(incoming.method, body),
          });
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.on("error", () => {
        outgoing.writeHead(502);
        outgoing.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function lockIdOf(method: string | undefined, body: Buffer): string | undefined {
  if (method !== "LOCK" && method !== "UNLOCK") return undefined;
  try {
    const id = (JSON.parse(body.toString("utf8")) as { ID?: unknown }).ID;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
