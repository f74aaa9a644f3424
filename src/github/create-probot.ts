import type { Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { GithubAppConfig } from "../config/load-config.js";

/** All Octokit assembly in one place (after Probot's own `src/octokit/`). */
export function createProbot(
  config: GithubAppConfig,
  log: Logger,
  octokit = ProbotOctokit,
): Probot {
  return new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    log,
    Octokit: octokit,
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
  });
}
