import type { Logger } from "pino";
import {
  describeRetention,
  RETENTION_KINDS,
  type RetentionKind,
  retentionRule,
  type RetentionSettings,
} from "../domain/retention.js";
import type { CommandResult } from "../lib/command-result.js";
import type { RetentionTargets, Tally } from "./retention-port.js";

export interface KindCollection {
  kind: RetentionKind;
  /** The setting as written back: `30d`, `keep 10`, `off`. */
  setting: string;
  before: Tally;
  /** Deleted, or, on a dry run, what would be. */
  deleted: Tally;
  after: Tally;
}

/**
 * Deletes what each BOSUN_RETENTION_* setting says is too old, kind by kind (the daily
 * `collect-garbage` job and `bosun gc`), and nothing else: what a kind's store protects (a
 * component's latest state version and those revisions point at, anything of a run still in
 * progress, a delivery not yet processed) is never matched. A dry run deletes nothing.
 */
export async function collectGarbage(
  deps: { targets: RetentionTargets; log: Logger },
  input: { settings: RetentionSettings; now: Date; dryRun: boolean },
): Promise<KindCollection[]> {
  const collected: KindCollection[] = [];
  for (const kind of RETENTION_KINDS) {
    const target = deps.targets[kind];
    const setting = input.settings[kind];
    const before = await target.measure();
    const nothing = { items: 0, bytes: 0 };
    const rule = setting && retentionRule(setting, input.now);
    const deleted = !rule
      ? nothing
      : input.dryRun
        ? await target.expired(rule)
        : await target.remove(rule);
    const after = input.dryRun || deleted.items === 0 ? before : await target.measure();
    collected.push({ kind, setting: describeRetention(setting), before, deleted, after });
  }
  const deleted = collected.filter((entry) => entry.deleted.items > 0);
  deps.log.info(
    {
      dryRun: input.dryRun,
      deleted: Object.fromEntries(deleted.map((entry) => [entry.kind, entry.deleted])),
    },
    input.dryRun ? "garbage collection: dry run" : "garbage collected",
  );
  return collected;
}

/** `bosun gc [--dry-run]`: a table of each kind's setting and its counts and bytes. */
export async function collectGarbageCommand(
  deps: { targets: RetentionTargets; log: Logger },
  input: { settings: RetentionSettings; now: Date; dryRun: boolean },
): Promise<CommandResult> {
  const collected = await collectGarbage(deps, input);
  const cell = (tally: Tally) => `${tally.items} (${tally.bytes} B)`;
  const rows = [
    ["KIND", "RETENTION", "BEFORE", input.dryRun ? "WOULD DELETE" : "DELETED", "AFTER"],
    ...collected.map((entry) => [
      entry.kind,
      entry.setting,
      cell(entry.before),
      cell(entry.deleted),
      cell(entry.after),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) =>
    row
      .map((value, column) => value.padEnd(widths[column]!))
      .join("  ")
      .trimEnd(),
  );
  const total = collected.reduce(
    (sum, entry) => ({
      items: sum.items + entry.deleted.items,
      bytes: sum.bytes + entry.deleted.bytes,
    }),
    { items: 0, bytes: 0 },
  );
  const verdict = input.dryRun
    ? `dry run: would delete ${total.items} items (${total.bytes} bytes); nothing was deleted`
    : `deleted ${total.items} items (${total.bytes} bytes)`;
  return { exitCode: 0, stdout: `${[...lines, verdict].join("\n")}\n`, stderr: "" };
}
