import { z } from "zod";

/** What this needs of Octokit's RequestError: the HTTP status GitHub answered with. */
const HttpFailure = z.object({ status: z.number().int() });

/**
 * The HTTP status of a failed Octokit request, or undefined when the error is not one (a network
 * failure, a bug). Read structurally so that only Octokit's contract is relied on, not its class.
 */
export function httpStatusOf(error: unknown): number | undefined {
  const parsed = HttpFailure.safeParse(error);
  return parsed.success ? parsed.data.status : undefined;
}
