import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import type { Logger } from "pino";
import { listen } from "./http-server.js";
import { metricsRoutes } from "./metrics-routes.js";

/**
 * `GET /metrics` on a port of its own (BOSUN_METRICS_PORT): for a `bosun worker`, which has no
 * other listener, and for operators who keep metrics off the port GitHub reaches.
 */
export async function startMetricsListener(deps: {
  port: number;
  exposition: () => Promise<{ contentType: string; body: string }>;
  token: string | undefined;
  log: Logger;
}): Promise<{ port: number; close(): Promise<void> }> {
  const app = metricsRoutes({ exposition: deps.exposition, token: deps.token });
  const server = createServer(getRequestListener(app.fetch));
  const port = await listen(server, deps.port);
  deps.log.info({ port }, "serving /metrics");
  return {
    port,
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}
