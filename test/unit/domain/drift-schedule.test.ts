import { describe, expect, it } from "vitest";
import {
  cronProblem,
  driftTiming,
  effectiveDriftSchedule,
  nextOccurrence,
} from "../../../src/domain/drift-schedule.js";

const at = (iso: string) => new Date(iso);

describe("drift schedules", () => {
  it.each([
    ["0 */6 * * *", undefined],
    ["*/15 9-17 * * MON-FRI", undefined],
    ["@daily", undefined],
    ["0 6 * * * *", /five fields/],
    ["@reboot", /five fields/],
    ["daily", /five fields/],
    ["61 * * * *", /not a cron schedule/],
    ["0 0 30 2 *", /not a cron schedule/],
    ["0 0 31 4,6 *", /no month it names has the day/],
    ["0 0 31 4,6 MON", undefined],
    ["0 0 29 2 *", undefined],
    ["0 0 L 2 *", undefined],
  ])("reads %j", (expression, problem) => {
    const found = cronProblem(expression);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  it("finds a schedule that never comes without cron-parser's 10,000 steps", () => {
    const started = performance.now();
    for (let i = 0; i < 200; i += 1) expect(cronProblem("0 0 31 2,4,6,9,11 *")).toBeDefined();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("takes the next time strictly after, in UTC", () => {
    expect(nextOccurrence("0 */6 * * *", at("2026-01-01T05:59:59.999Z"))).toEqual(
      at("2026-01-01T06:00:00Z"),
    );
    expect(nextOccurrence("0 */6 * * *", at("2026-01-01T06:00:00Z"))).toEqual(
      at("2026-01-01T12:00:00Z"),
    );
    // The last Sunday of March: a local clock would have skipped 02:30; UTC never does.
    expect(nextOccurrence("30 2 * * *", at("2026-03-29T00:00:00Z"))).toEqual(
      at("2026-03-29T02:30:00Z"),
    );
  });

  it("prefers the environment's own schedule, and off turns the server's default off", () => {
    expect(effectiveDriftSchedule("@daily", "@hourly")).toBe("@daily");
    expect(effectiveDriftSchedule(undefined, "@hourly")).toBe("@hourly");
    expect(effectiveDriftSchedule("off", "@hourly")).toBeUndefined();
    expect(effectiveDriftSchedule(undefined, undefined)).toBeUndefined();
  });
});

describe("driftTiming", () => {
  const schedule = "0 */6 * * *";

  it("gives an environment first seen the schedule's next time, and no check now", () => {
    expect(driftTiming(schedule, undefined, at("2026-01-01T07:10:00Z"))).toEqual({
      kind: "schedule",
      nextAt: at("2026-01-01T12:00:00Z"),
    });
  });

  it("waits for a time still to come", () => {
    expect(driftTiming(schedule, at("2026-01-01T12:00:00Z"), at("2026-01-01T11:59:00Z"))).toEqual({
      kind: "wait",
    });
  });

  it("is due once the time has come, and sets the next one after now", () => {
    expect(driftTiming(schedule, at("2026-01-01T12:00:00Z"), at("2026-01-01T12:00:20Z"))).toEqual({
      kind: "due",
      nextAt: at("2026-01-01T18:00:00Z"),
    });
  });

  it("runs one check for many times missed, not a backlog", () => {
    expect(driftTiming(schedule, at("2026-01-01T12:00:00Z"), at("2026-01-03T01:00:00Z"))).toEqual({
      kind: "due",
      nextAt: at("2026-01-03T06:00:00Z"),
    });
  });

  it("pulls the next check forward when the schedule now comes sooner", () => {
    // Was weekly (next Monday); now hourly.
    expect(driftTiming("@hourly", at("2026-01-05T00:00:00Z"), at("2026-01-01T10:30:00Z"))).toEqual({
      kind: "schedule",
      nextAt: at("2026-01-01T11:00:00Z"),
    });
  });

  it("keeps the time already set when the schedule now comes later", () => {
    expect(driftTiming("@weekly", at("2026-01-01T11:00:00Z"), at("2026-01-01T10:30:00Z"))).toEqual({
      kind: "wait",
    });
  });
});
