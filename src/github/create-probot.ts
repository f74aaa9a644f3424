import type { Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { GithubAppConfig } from "../config/load-config.js";
import type { MaskLines } from "../lib/mask-strings.js";
import type { Metrics } from "../services/metrics-port.js";
import { countGithubRequests } from "./count-github-requests.js";
import { maskRequestBodies } from "./mask-request-bodies.js";

/**
 * All Octokit assembly in one place (after Probot's own `src/octokit/`). With `maskLines`, every
 * client Probot hands out masks the text of what it writes to GitHub (mask-request-bodies.ts);
 * with `metrics`, it counts its requests (count-github-requests.ts).
 */
export function createProbot(
  config: GithubAppConfig,
  log: Logger,
  octokit = ProbotOctokit,
  maskLines?: MaskLines,
  extras: { metrics?: Metrics } = {},
): Probot {
  let client = octokit;
  if (maskLines) client = client.plugin(maskRequestBodies(maskLines));
  if (extras.metrics) client = client.plugin(countGithubRequests(extras.metrics));
  return new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    log,
    Octokit: client,
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
  });
}
