import type { Logger } from "pino";
import type { GithubRateLimit, Metrics } from "../services/metrics-port.js";

/** The longest Bosun waits for one of GitHub's limits before it gives the request up. */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 60;
/** How many times one request is waited out and retried. */
export const MAX_RATE_LIMIT_RETRIES = 2;

type Decide = (
  retryAfter: number,
  options: { method?: string; url?: string },
  octokit: unknown,
  retryCount: number,
) => boolean;

/**
 * The throttling plugin's handlers (Probot's ProbotOctokit includes @octokit/plugin-throttling;
 * https://github.com/octokit/plugin-throttling.js#usage): a secondary limit (403/429 saying so,
 * with `Retry-After`) or a primary one (`x-ratelimit-remaining: 0` until `x-ratelimit-reset`) is
 * waited out and the request retried, when the wait is at most a minute and the request has not
 * been retried twice already. Probot's own handlers retry every time, however long GitHub asks to
 * wait; a worker would hold its job for up to an hour of a primary limit's reset.
 */
export function waitOutRateLimits(
  log: Logger,
  metrics: Metrics | undefined,
): { onRateLimit: Decide; onSecondaryRateLimit: Decide } {
  const decide =
    (limit: GithubRateLimit): Decide =>
    (retryAfter, options, _octokit, retryCount) => {
      const waits =
        retryAfter <= MAX_RATE_LIMIT_WAIT_SECONDS && retryCount < MAX_RATE_LIMIT_RETRIES;
      metrics?.githubRateLimitWait(limit, retryAfter, waits);
      const fields = { limit, retryAfter, retryCount, request: `${options.method} ${options.url}` };
      if (waits) log.warn(fields, "GitHub rate limit hit: waiting, then retrying");
      else log.error(fields, "GitHub rate limit hit: not waiting that long; the request fails");
      return waits;
    };
  return { onRateLimit: decide("primary"), onSecondaryRateLimit: decide("secondary") };
}
