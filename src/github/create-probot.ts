import type { Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { GithubAppConfig } from "../config/load-config.js";
import type { MaskLines } from "../lib/mask-strings.js";
import { maskRequestBodies } from "./mask-request-bodies.js";

/**
 * All Octokit assembly in one place (after Probot's own `src/octokit/`). With `maskLines`, every
 * client Probot hands out masks the text of what it writes to GitHub (mask-request-bodies.ts).
 */
export function createProbot(
  config: GithubAppConfig,
  log: Logger,
  octokit = ProbotOctokit,
  maskLines?: MaskLines,
): Probot {
  return new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    log,
    Octokit: maskLines ? octokit.plugin(maskRequestBodies(maskLines)) : octokit,
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
  });
}
