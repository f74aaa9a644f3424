import type { CommandResult } from "../lib/command-result.js";

/** One attempt GitHub made to deliver a webhook to the App (its deliveries API). */
export interface GithubDeliveryAttempt {
  /** The attempt's id, which a redelivery names. */
  id: number;
  /** The delivery's id (X-GitHub-Delivery), the same for every attempt of it. */
  guid: string;
  deliveredAt: Date;
  statusCode: number;
  event: string;
  action: string | undefined;
}

/** The App's webhook deliveries on GitHub. */
export interface AppDeliveriesApi {
  /** Attempts made since `since`, newest first. */
  attemptsSince(since: Date): Promise<GithubDeliveryAttempt[]>;
  /** Asks GitHub to deliver that attempt's payload again (with the same delivery id). */
  redeliver(attemptId: number): Promise<void>;
}

export interface ReplayDeps {
  github: AppDeliveriesApi;
  /** Which of these delivery ids Bosun has recorded. */
  received(deliveryIds: readonly string[]): Promise<Set<string>>;
}

/**
 * Webhooks GitHub sent while Bosun was down or unreachable are found by comparing GitHub's
 * deliveries with the ones Bosun recorded; each one missing is redelivered by GitHub, with its
 * own delivery id, so it goes through the signed intake like any other and is handled once.
 */
export async function replayMissedDeliveries(
  deps: ReplayDeps,
  options: { since: Date; dryRun: boolean },
): Promise<CommandResult> {
  const attempts = await deps.github.attemptsSince(options.since);
  const latestAttempt = new Map<string, GithubDeliveryAttempt>();
  for (const attempt of attempts) {
    const known = latestAttempt.get(attempt.guid);
    if (!known || attempt.deliveredAt > known.deliveredAt) latestAttempt.set(attempt.guid, attempt);
  }
  const received = await deps.received([...latestAttempt.keys()]);
  const missed = [...latestAttempt.values()]
    .filter((attempt) => !received.has(attempt.guid))
    .sort((a, b) => a.deliveredAt.getTime() - b.deliveredAt.getTime());

  const lines: string[] = [];
  const failures: string[] = [];
  for (const attempt of missed) {
    const what = `${attempt.guid} ${attempt.event}${attempt.action ? `.${attempt.action}` : ""} (${attempt.deliveredAt.toISOString()}, GitHub saw ${attempt.statusCode || "no answer"})`;
    if (options.dryRun) {
      lines.push(`would redeliver ${what}`);
      continue;
    }
    try {
      await deps.github.redeliver(attempt.id);
      lines.push(`redelivered ${what}`);
    } catch (error) {
      failures.push(`could not redeliver ${what}: ${(error as Error).message}`);
    }
  }
  lines.push(
    `${latestAttempt.size} deliveries since ${options.since.toISOString()}: ${received.size} received, ${missed.length} missed, ${options.dryRun ? 0 : missed.length - failures.length} redelivered`,
  );
  return {
    exitCode: failures.length > 0 ? 1 : 0,
    stdout: `${lines.join("\n")}\n`,
    stderr: failures.map((failure) => `bosun: ${failure}\n`).join(""),
  };
}
