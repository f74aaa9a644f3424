import type { Probot } from "probot";
import { z } from "zod";

/** GitHub's answer to POST /app/installations/{installation_id}/access_tokens. */
const InstallationToken = z.object({
  token: z.string(),
  expires_at: z.string().optional(),
});

const ACCESS_TOKENS_ROUTE = "/app/installations/{installation_id}/access_tokens";

/**
 * Makes every installation client Probot hands out report the tokens it obtains to `record`, with
 * their expiry, so a token can be masked in whatever a run prints. The token request goes through
 * the installation client's own request hooks, so watching its answer costs no request. (Asking the
 * client with `auth({ type: "installation" })` would not do: that path ignores GHE_HOST.)
 */
export function recordInstallationTokens(
  probot: Probot,
  record: (token: string, expiresAt: Date | undefined) => void,
): void {
  const auth = probot.auth.bind(probot);
  probot.auth = async (...args: Parameters<Probot["auth"]>) => {
    const octokit = await auth(...args);
    if (args[0] !== undefined) {
      octokit.hook.after("request", (response, options) => {
        if (options.url !== ACCESS_TOKENS_ROUTE) return;
        const parsed = InstallationToken.safeParse(response.data);
        if (!parsed.success) return;
        const { token, expires_at: expiresAt } = parsed.data;
        record(token, expiresAt === undefined ? undefined : new Date(expiresAt));
      });
    }
    return octokit;
  };
}
