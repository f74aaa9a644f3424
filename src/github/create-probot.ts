import type { Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { GithubAppConfig } from "../config/load-config.js";
import type { MaskLines } from "../lib/mask-strings.js";
import type { Metrics } from "../services/metrics-port.js";
import { countGithubRequests } from "./count-github-requests.js";
import { maskRequestBodies } from "./mask-request-bodies.js";
import { waitOutRateLimits } from "./wait-out-rate-limits.js";

/**
 * All Octokit assembly in one place (after Probot's own `src/octokit/`). With `maskLines`, every
 * client Probot hands out masks the text of what it writes to GitHub (mask-request-bodies.ts);
 * with `metrics`, it counts its requests (count-github-requests.ts). GitHub's rate limits are
 * waited out within bounds (wait-out-rate-limits.ts).
 */
export function createProbot(
  config: GithubAppConfig,
  log: Logger,
  octokit = ProbotOctokit,
  maskLines?: MaskLines,
  /** `fetch`: the HTTPS_PROXY-aware one (src/lib/proxy-agent.ts), for every request. */
  extras: { metrics?: Metrics; fetch?: typeof fetch | undefined } = {},
): Probot {
  const throttle = waitOutRateLimits(log, extras.metrics);
  // Over Probot's handlers (which Probot passes in each client's options, and which never retry
  // a secondary limit). The function form runs before the class's own defaults, so a class that
  // turns throttling off (the tests', test/helpers/test-bosun.ts) still has the last word.
  let client = octokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    throttle: { ...(options.throttle as object | undefined), ...throttle },
  }));
  if (maskLines) client = client.plugin(maskRequestBodies(maskLines));
  if (extras.metrics) client = client.plugin(countGithubRequests(extras.metrics));
  return new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    log,
    Octokit: client,
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
    ...(extras.fetch ? { request: { fetch: extras.fetch } } : {}),
  });
}
