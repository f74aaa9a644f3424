import { CHECK_RUN_SUMMARY_LIMIT, truncateToLimit } from "./limits.js";

/**
 * A check run's summary with what its apply is waiting for (an unmet requirement, an approval
 * that did not count) under it, cut to GitHub's limit: the check run says what the refused
 * command's reply says, for whoever looks at the check run instead.
 */
export function waitingNoteSummary(summary: string, waitingFor: string): string {
  return truncateToLimit(
    `${summary}\n\n### Waiting for\n\n${waitingFor}`,
    CHECK_RUN_SUMMARY_LIMIT,
    (lines) => `… ${lines} more lines`,
  );
}
