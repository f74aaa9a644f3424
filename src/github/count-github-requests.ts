import type { Metrics } from "../services/metrics-port.js";

/** What Octokit hands a request hook of the request it made. */
interface RequestOptions {
  method?: unknown;
  url?: unknown;
}
interface Answer {
  status: number;
  headers: Record<string, string | number | undefined>;
}

/** The part of Octokit a plugin is given that this one uses. */
interface HookableOctokit {
  hook: {
    after(name: "request", hook: (response: Answer, options: RequestOptions) => void): void;
    error(name: "request", hook: (error: unknown, options: RequestOptions) => never): void;
  };
}

/**
 * An Octokit plugin counting every request by route template and status, and keeping the rate
 * limit GitHub's answers report. It wraps the throttling plugin, so a request GitHub limited and
 * Bosun retried counts once, with its final answer; the waits are counted by the throttle
 * handlers (create-probot.ts).
 */
export function countGithubRequests(metrics: Metrics) {
  return (octokit: HookableOctokit, options: { auth?: unknown }): void => {
    const installation = installationOf(options.auth);
    const record = (
      status: number,
      headers: Answer["headers"] | undefined,
      request: RequestOptions,
    ) => {
      metrics.githubRequest(routeOf(request), status);
      const remaining = Number(headers?.["x-ratelimit-remaining"]);
      if (headers?.["x-ratelimit-remaining"] !== undefined && Number.isFinite(remaining)) {
        const resource = String(headers["x-ratelimit-resource"] ?? "core");
        metrics.githubRateLimitRemaining(installation, resource, remaining);
      }
    };
    octokit.hook.after("request", (response, request) => {
      record(response.status, response.headers, request);
    });
    octokit.hook.error("request", (error, request) => {
      const failed = error as { status?: unknown; response?: { headers?: Answer["headers"] } };
      record(
        typeof failed.status === "number" ? failed.status : 0,
        failed.response?.headers,
        request,
      );
      throw error;
    });
  };
}

/**
 * `GET /repos/{owner}/{repo}/pulls/{pull_number}`: Octokit's endpoint methods keep the template.
 * A literal URL (a page link) loses its query, and ids and names become placeholders, so that
 * the label's values stay few.
 */
export function routeOf(request: RequestOptions): string {
  const method = typeof request.method === "string" ? request.method.toUpperCase() : "GET";
  const url = typeof request.url === "string" ? request.url : "";
  let path = url.replace(/^https?:\/\/[^/]+/, "").replace(/\?.*$/, "");
  if (!path.includes("{")) {
    path = path
      .replace(/^(\/api\/v3)?\/repos\/[^/]+\/[^/]+/, "/repos/{owner}/{repo}")
      .replace(/\/[0-9]+(?=\/|$)/g, "/{id}")
      .replace(/\/[0-9a-f]{40}(?=\/|$)/g, "/{sha}");
  }
  return `${method} ${path}`;
}

function installationOf(auth: unknown): string {
  const id = (auth as { installationId?: unknown } | undefined)?.installationId;
  return typeof id === "number" || typeof id === "string" ? String(id) : "app";
}
