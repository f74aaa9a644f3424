/** How long a delivery is retried before it is given up (docs/design.md "Notifications": a day). */
export const RETRY_WINDOW_MS = 24 * 3_600_000;

/** The longest wait between two attempts, however many failed before. */
const MAX_DELAY_MS = 3_600_000;

/**
 * When to try a failed delivery again, in milliseconds from now, or undefined when the day is
 * over. Exponential backoff from `baseMs` (the first retry after `baseMs` to 1.5 × `baseMs`,
 * within 30 s with the default base), with jitter so that targets that failed together are not
 * retried together, and never sooner than the receiver's `Retry-After` asked (capped at the
 * longest wait, so a receiver cannot park a delivery past its day).
 *
 * `attempts`: the attempts made so far (1 after the first failure). `random`: in [0, 1).
 */
export function retryDelayMs(input: {
  attempts: number;
  baseMs: number;
  retryAfterMs: number | undefined;
  /** Since the delivery's first attempt. */
  elapsedMs: number;
  random: number;
}): number | undefined {
  const exponential = Math.min(MAX_DELAY_MS, input.baseMs * 2 ** Math.max(0, input.attempts - 1));
  const jittered = Math.round(exponential * (1 + input.random / 2));
  const delay = Math.max(jittered, Math.min(input.retryAfterMs ?? 0, MAX_DELAY_MS));
  return input.elapsedMs + delay > RETRY_WINDOW_MS ? undefined : delay;
}

/**
 * A `Retry-After` header in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3);
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
