import type { Probot } from "probot";
import { z } from "zod";

/** What `octokit.auth({ type: "installation" })` resolves to (@octokit/auth-app). */
const InstallationAuthentication = z.object({
  token: z.string(),
  expiresAt: z.string().optional(),
});

/**
 * Makes every installation client Probot hands out report its token to `record`, with its expiry,
 * so the token can be masked in whatever a run prints. Probot caches tokens until shortly before
 * they expire; asking the client for its token reads that cache and costs no request.
 */
export function recordInstallationTokens(
  probot: Probot,
  record: (token: string, expiresAt: Date | undefined) => void,
): void {
  const auth = probot.auth.bind(probot);
  probot.auth = async (...args: Parameters<Probot["auth"]>) => {
    const octokit = await auth(...args);
    if (args[0] !== undefined) {
      const parsed = InstallationAuthentication.safeParse(
        await octokit.auth({ type: "installation" }),
      );
      if (parsed.success) {
        const { token, expiresAt } = parsed.data;
        record(token, expiresAt === undefined ? undefined : new Date(expiresAt));
      }
    }
    return octokit;
  };
}
