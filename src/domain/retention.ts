/**
 * Data retention (README "Retention"): what `collectGarbage` deletes, kind by kind, and the rule
 * each kind's BOSUN_RETENTION_* setting makes of the current time.
 */
export const RETENTION_KINDS = [
  "webhook-payloads",
  "phase-logs",
  "plans",
  "tarballs",
  "state-versions",
] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** An operator's setting: delete what is older than `maxAgeMs`, or keep the `keepNewest` newest. */
export type RetentionSetting = { maxAgeMs: number } | { keepNewest: number };

/** One kind's setting; undefined keeps everything of that kind. */
export type RetentionSettings = Record<RetentionKind, RetentionSetting | undefined>;

/** A setting applied at one time: what a store is asked to delete. */
export type RetentionRule = { olderThan: Date } | { keepNewest: number };

export function retentionRule(setting: RetentionSetting, now: Date): RetentionRule {
  return "maxAgeMs" in setting
    ? { olderThan: new Date(now.getTime() - setting.maxAgeMs) }
    : { keepNewest: setting.keepNewest };
}

/** How a setting is written back, as `bosun gc` shows it: `30d`, `36h`, `keep 10`. */
export function describeRetention(setting: RetentionSetting | undefined): string {
  if (setting === undefined) return "off";
  if ("keepNewest" in setting) return `keep ${setting.keepNewest}`;
  const hours = setting.maxAgeMs / 3_600_000;
  return Number.isInteger(hours / 24) ? `${hours / 24}d` : `${hours}h`;
}
