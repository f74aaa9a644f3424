import type { Probot } from "probot";
import { z } from "zod";
import type { AppDeliveriesApi, GithubDeliveryAttempt } from "../services/replay-deliveries.js";

/** The fields of GitHub's "list deliveries for an app webhook" items that the replay relies on. */
const DeliveryItem = z.object({
  id: z.number(),
  guid: z.string().min(1),
  delivered_at: z.string(),
  status_code: z.number(),
  event: z.string(),
  action: z.string().nullish(),
});

/**
 * GitHub's deliveries API for the App's own webhook, with the App's JWT (not an installation):
 * `GET /app/hook/deliveries` (cursor-paginated, newest first) and
 * `POST /app/hook/deliveries/{delivery_id}/attempts`.
 */
export function createAppDeliveriesApi(probot: Probot): AppDeliveriesApi {
  return {
    async attemptsSince(since) {
      const octokit = await probot.auth();
      const attempts: GithubDeliveryAttempt[] = [];
      for await (const page of octokit.paginate.iterator("GET /app/hook/deliveries", {
        per_page: 100,
      })) {
        let older = false;
        for (const raw of page.data as unknown[]) {
          const item = DeliveryItem.parse(raw);
          const deliveredAt = new Date(item.delivered_at);
          if (deliveredAt < since) {
            older = true;
            continue;
          }
          attempts.push({
            id: item.id,
            guid: item.guid,
            deliveredAt,
            statusCode: item.status_code,
            event: item.event,
            action: item.action ?? undefined,
          });
        }
        if (older) break;
      }
      return attempts;
    },
    async redeliver(attemptId) {
      const octokit = await probot.auth();
      await octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", {
        delivery_id: attemptId,
      });
    },
  };
}
