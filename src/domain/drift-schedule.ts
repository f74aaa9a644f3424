import cronParser from "cron-parser";

/**
 * `drift.schedule: off` in bosun.yml: no drift checks for the environment, whatever the server's
 * default (BOSUN_DRIFT_SCHEDULE).
 */
export const DRIFT_OFF = "off";

/** The macros cron-parser reads besides five fields; `@reboot` and friends have no time. */
const MACROS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@hourly"];

/**
 * Why a cron expression is not a drift schedule, or undefined when it is one: five fields
 * (minute, hour, day of month, month, day of week) or a macro (@hourly, @daily, @weekly,
 * @monthly, @yearly), read in UTC. cron-parser would also take a sixth (seconds) field; a drift
 * check every few seconds is a slip, and pg-boss, which reads the same library, has a minute as
 * its finest grain.
 *
 * Only parsing, which is quick: a pull request's bosun.yml is read (and so its schedules) before
 * its `drift` is dropped, and may hold thousands. Looking for the next time can take cron-parser
 * 10,000 steps (tens of milliseconds) on a schedule that never comes, so that is left to the
 * tick, on the tracked branch's schedules; the one such case people write by slip, a day no month
 * it names has ("31 4,6"), is caught here.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  const macro = fields.length === 1 && fields[0]!.startsWith("@");
  if (macro ? !MACROS.includes(fields[0]!) : fields.length !== 5) {
    return `must be a cron expression of five fields (minute hour day-of-month month day-of-week), such as "0 */6 * * *", or one of ${MACROS.join(", ")}`;
  }
  try {
    const { fields: parsed } = cronParser.parseExpression(expression.trim(), { tz: "UTC" });
    return neverComes(parsed)
      ? "is not a cron schedule: no month it names has the day of the month it names"
      : undefined;
  } catch (error) {
    return `is not a cron schedule: ${(error as Error).message}`;
  }
}

/** The most days each month has, February's leap day included. */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A schedule whose days of the month no month it names has ("31 4,6"), on any weekday. With days
 * of the week named too, either matching is enough (cron's rule), and every month has every
 * weekday.
 */
function neverComes(fields: {
  readonly dayOfMonth: readonly (number | "L")[];
  readonly month: readonly number[];
  readonly dayOfWeek: readonly number[];
}): boolean {
  const everyWeekday = new Set(fields.dayOfWeek.map((day) => day % 7)).size === 7;
  if (!everyWeekday || fields.dayOfMonth.includes("L")) return false;
  const days = fields.dayOfMonth.filter((day): day is number => day !== "L");
  const longest = Math.max(...fields.month.map((month) => MONTH_DAYS[month - 1] ?? 31));
  return Math.min(...days) > longest;
}

/**
 * The schedule's first time strictly after `after`, in UTC. Throws on an expression cronProblem
 * refuses, and when cron-parser finds no time within its 10,000 steps.
 */
export function nextOccurrence(expression: string, after: Date): Date {
  return cronParser
    .parseExpression(expression.trim(), { currentDate: after, tz: "UTC" })
    .next()
    .toDate();
}

/**
 * The schedule an environment's drift checks follow: its own `drift.schedule` from the tracked
 * branch, else the server's default; undefined for none (`off`, or neither set).
 */
export function effectiveDriftSchedule(
  own: string | undefined,
  serverDefault: string | undefined,
): string | undefined {
  if (own === DRIFT_OFF) return undefined;
  return own ?? serverDefault;
}

/** What a tick does for one environment with a schedule. */
export type DriftTiming =
  /** Its next check is still to come, and the schedule agrees. */
  | { kind: "wait" }
  /** No check is due; its next one is `nextAt` (first seen, or the schedule now comes sooner). */
  | { kind: "schedule"; nextAt: Date }
  /** A check is due now; the one after it is `nextAt`. */
  | { kind: "due"; nextAt: Date };

/**
 * When an environment's drift is next checked. An environment first seen gets the schedule's
 * next time (a schedule runs at the times it names, not when Bosun happens to read it). A time
 * that has come is due, once, however many times were missed while Bosun was down: the check
 * after it is the schedule's next time from now, not a backlog. A recorded time later than the
 * schedule's next one means the schedule changed (a push, or BOSUN_DRIFT_SCHEDULE) to come
 * sooner, so it is pulled forward; a schedule changed to come later keeps the time already set,
 * one check early at worst.
 */
export function driftTiming(schedule: string, nextAt: Date | undefined, now: Date): DriftTiming {
  const upcoming = nextOccurrence(schedule, now);
  if (nextAt === undefined) return { kind: "schedule", nextAt: upcoming };
  if (nextAt.getTime() <= now.getTime()) return { kind: "due", nextAt: upcoming };
  if (nextAt.getTime() > upcoming.getTime()) return { kind: "schedule", nextAt: upcoming };
  return { kind: "wait" };
}
