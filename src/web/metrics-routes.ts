import { createHash, timingSafeEqual } from "node:crypto";
import { Hono } from "hono";

/**
 * `GET /metrics`, Prometheus's text format. Open, like most exporters, unless BOSUN_METRICS_TOKEN
 * is set: then only `Authorization: Bearer <token>` reads it (docs/security.md, "Metrics").
 */
export function metricsRoutes(deps: {
  exposition: () => Promise<{ contentType: string; body: string }>;
  token: string | undefined;
}): Hono {
  const app = new Hono();
  app.get("/metrics", async (c) => {
    if (deps.token !== undefined && !bearerMatches(c.req.header("authorization"), deps.token)) {
      c.header("WWW-Authenticate", 'Bearer realm="bosun-metrics"');
      return c.text("BOSUN_METRICS_TOKEN is set: send it as a bearer token\n", 401);
    }
    const { contentType, body } = await deps.exposition();
    return c.body(body, 200, { "content-type": contentType, "cache-control": "no-store" });
  });
  return app;
}

/** Compared as digests: the same length whatever was sent, so timing tells nothing. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const sent = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1];
  if (sent === undefined) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(sent), digest(token));
}
