import { Hono } from "hono";

/**
 * What Bosun serves before it has GitHub App credentials: how to register the App. Webhooks are
 * refused with 503 so nothing is lost: GitHub can redeliver once the App is configured.
 */
export function setupRoutes(webhookPath: string): Hono {
  const app = new Hono();
  app.get("/", (c) =>
    c.html(
      `<!doctype html><title>Bosun: setup</title><h1>Bosun is running</h1>
<p>No GitHub App credentials are set. Register a GitHub App from <code>app.yml</code>, then set
<code>APP_ID</code>, <code>PRIVATE_KEY</code> (or <code>PRIVATE_KEY_PATH</code>) and
<code>WEBHOOK_SECRET</code> and restart. The README explains each step.</p>
<p>Webhook URL to give GitHub: <code>${webhookPath}</code> on this host.</p>`,
    ),
  );
  return app;
}
