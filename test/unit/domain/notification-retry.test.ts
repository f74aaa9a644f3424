import { describe, expect, it } from "vitest";
import {
  parseRetryAfter,
  RETRY_WINDOW_MS,
  retryDelayMs,
} from "../../../src/domain/notification-retry.js";

describe("retryDelayMs", () => {
  const base = { baseMs: 5_000, retryAfterMs: undefined, elapsedMs: 0 };

  it("retries first within 30 s, then backs off exponentially with jitter", () => {
    expect(retryDelayMs({ ...base, attempts: 1, random: 0 })).toBe(5_000);
    expect(retryDelayMs({ ...base, attempts: 1, random: 0.999 })).toBeLessThan(30_000);
    expect(retryDelayMs({ ...base, attempts: 2, random: 0 })).toBe(10_000);
    expect(retryDelayMs({ ...base, attempts: 5, random: 0.5 })).toBe(100_000);
    expect(retryDelayMs({ ...base, attempts: 30, random: 0 })).toBe(3_600_000);
  });

  it("waits at least as long as Retry-After asks, up to an hour", () => {
    expect(retryDelayMs({ ...base, attempts: 1, random: 0, retryAfterMs: 120_000 })).toBe(120_000);
    expect(retryDelayMs({ ...base, attempts: 1, random: 0, retryAfterMs: 86_400_000 })).toBe(
      3_600_000,
    );
  });

  it("gives up once the next attempt would fall past a day", () => {
    expect(
      retryDelayMs({ ...base, attempts: 20, random: 0, elapsedMs: RETRY_WINDOW_MS - 1_000 }),
    ).toBeUndefined();
  });
});

describe("parseRetryAfter", () => {
  it.each([
    ["30", 30_000],
    [" 0 ", 0],
    ["Thu, 01 Jan 2026 00:01:00 GMT", 60_000],
    ["soon", undefined],
    [undefined, undefined],
  ])("%s", (value, expected) => {
    expect(parseRetryAfter(value, Date.parse("2026-01-01T00:00:00Z"))).toBe(expected);
  });
});
