import { Hono } from "hono";
import type { SandboxStatus } from "../worker/start-sandbox.js";

export interface Readiness {
  /** Database reachable and migrated. */
  isReady(): Promise<boolean>;
  /** False once shutdown has begun, so load balancers stop sending work. */
  accepting(): boolean;
  /** How this process's workers run engines; undefined when it runs none. */
  sandbox: SandboxStatus | undefined;
}

const READY_TIMEOUT_MS = 2_000;

export function healthRoutes(readiness: Readiness): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    if (!readiness.accepting()) return c.json({ status: "shutting down" }, 503);
    const ready = await Promise.race([
      readiness.isReady().catch(() => false),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), READY_TIMEOUT_MS).unref()),
    ]);
    const sandbox = readiness.sandbox ? { sandbox: readiness.sandbox } : {};
    return ready
      ? c.json({ status: "ready", ...sandbox })
      : c.json({ status: "database unreachable or migrations not applied" }, 503);
  });
  return app;
}
