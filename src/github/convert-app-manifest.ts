import { Octokit } from "@octokit/rest";
import type { Logger } from "pino";
import { z } from "zod";
import type { ConvertManifestCode } from "../services/app-registration-port.js";
import { GithubApiError } from "./github-api-error.js";

/** The fields of GitHub's answer Bosun keeps; the rest (permissions, events…) it sent itself. */
const Conversion = z.object({
  id: z.number().int().positive(),
  slug: z.string().min(1),
  html_url: z.url(),
  owner: z.object({ login: z.string().min(1) }),
  pem: z.string().includes("PRIVATE KEY"),
  // The manifest always sets hook_attributes, so GitHub always makes a webhook secret.
  webhook_secret: z.string().min(1),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
});

/**
 * The manifest flow's last step
 * (https://docs.github.com/en/rest/apps/apps#create-a-github-app-from-a-manifest): unauthenticated,
 * the code alone proves the browser came back from registering, and it works once within an hour.
 */
export function createManifestConverter(
  apiUrl: string,
  log: Logger,
  /** A proxied fetch behind HTTPS_PROXY; undefined: the global one. */
  outgoingFetch?: typeof fetch,
): ConvertManifestCode {
  // A refused code is reported by the setup page and logged once by it: Octokit's own line stays at debug.
  const quiet = (message: string) => log.debug(message);
  const octokit = new Octokit({
    baseUrl: apiUrl,
    userAgent: "bosun-setup",
    ...(outgoingFetch ? { request: { fetch: outgoingFetch } } : {}),
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
  return async (code) => {
    let data: unknown;
    try {
      ({ data } = await octokit.rest.apps.createFromManifest({ code }));
    } catch (error) {
      throw new GithubApiError("exchanging the GitHub App manifest code", error);
    }
    const parsed = Conversion.safeParse(data);
    if (!parsed.success) {
      throw new GithubApiError("reading GitHub's answer to the manifest code", parsed.error, 502);
    }
    const app = parsed.data;
    return {
      id: app.id,
      slug: app.slug,
      htmlUrl: app.html_url,
      owner: app.owner.login,
      privateKey: app.pem,
      webhookSecret: app.webhook_secret,
      clientId: app.client_id,
      clientSecret: app.client_secret,
    };
  };
}
