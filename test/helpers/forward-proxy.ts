import http from "node:http";
import net from "node:net";

/** One request a client sent through the proxy: a tunnel (`CONNECT host:port`) or a forward. */
export interface ProxyRequest {
  method: string;
  /** `host:port` the client asked to reach. */
  target: string;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:PORT`, for HTTP_PROXY / HTTPS_PROXY. */
  url: string;
  requests: ProxyRequest[];
  close(): Promise<void>;
}

/**
 * A real forward proxy on loopback, as an office or cluster egress proxy works: `CONNECT` opens
 * a tunnel to the target (how undici reaches https targets, and http ones too), and an
 * absolute-form request (`GET http://host/path`) is forwarded. Every request is recorded.
 */
export async function startForwardProxy(): Promise<ForwardProxy> {
  const requests: ProxyRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((incoming, outgoing) => {
    const target = new URL(incoming.url ?? "/");
    requests.push({ method: incoming.method ?? "", target: target.host });
    const forward = http.request(
      {
        host: target.hostname,
        port: target.port || 80,
        method: incoming.method,
        path: `${target.pathname}${target.search}`,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on("error", () => outgoing.writeHead(502).end());
    incoming.pipe(forward);
  });
  server.on("connect", (incoming: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = incoming.url ?? "";
    requests.push({ method: "CONNECT", target });
    const [host, port] = [target.replace(/:\d+$/, ""), Number(target.split(":").at(-1))];
    sockets.add(client);
    const upstream = net.connect(port, host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("error", () => client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
    client.on("error", () => upstream.destroy());
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
