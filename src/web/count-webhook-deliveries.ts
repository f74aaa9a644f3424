import type { Metrics, WebhookOutcome } from "../services/metrics-port.js";
import type { WebhookListener } from "./http-server.js";

/**
 * Counts each webhook request once its answer is sent: by GitHub's event header and by what the
 * answer told GitHub, with the time it took (GitHub gives up after 10 s).
 */
export function countWebhookDeliveries(metrics: Metrics, next: WebhookListener): WebhookListener {
  return (req, res) => {
    const started = performance.now();
    res.once("finish", () => {
      const header = req.headers["x-github-event"];
      const event =
        typeof header === "string" && /^[a-z_]{1,64}$/.test(header) ? header : "unknown";
      metrics.webhookDelivery(
        event,
        outcomeOf(res.statusCode),
        (performance.now() - started) / 1000,
      );
    });
    return next(req, res);
  };
}

function outcomeOf(status: number): WebhookOutcome {
  if (status >= 500) return "failed";
  if (status >= 400) return "rejected";
  return "accepted";
}
