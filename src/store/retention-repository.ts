import { z } from "zod";
import { TERMINAL_PHASES } from "../domain/component-phase.js";
import type { RetentionRule } from "../domain/retention.js";
import type { RetentionTarget, Tally } from "../services/retention-port.js";
import type { Database } from "./database.js";

/** Rows deleted per statement: each batch is one short transaction beside a running Bosun. */
const BATCH = 1000;

const TallyRow = z.object({ items: z.coerce.number(), bytes: z.coerce.number() });

/** The terminal phases, as a SQL list: a run is terminal when none of its components is not. */
const terminal = TERMINAL_PHASES.map((phase) => `'${phase}'`).join(", ");
const runIsTerminal = (runId: string) =>
  `not exists (select 1 from run_components other
                where other.run_id = ${runId} and other.phase not in (${terminal}))`;

/**
 * One kind of data in the database: `matching` is a query of the rows a rule matches, as
 * `key` (what to delete them by) and `size` (their bytes); `all` the same over every row.
 */
interface Kind {
  all: string;
  /** Rows the rule matches; `$1` is the cut-off time, or the number of versions to keep. */
  matching(rule: RetentionRule): { sql: string; value: string | number };
  /** Deletes (or clears) the rows whose key `keys` (the text of the keys, to be cast) lists. */
  remove(keys: string): string;
}

/** The rule's time, as text: the drivers send a Date each their own way, text the same way. */
function cutoff(rule: RetentionRule, what: string): string {
  if ("olderThan" in rule) return rule.olderThan.toISOString();
  throw new Error(`${what} are kept for a period, not by count`);
}

const KINDS = {
  // A delivery still queued has not been processed: its payload is its job's input.
  "webhook-payloads": {
    all: `select delivery_id as key, pg_column_size(payload) as size from webhook_deliveries`,
    matching: (rule) => ({
      sql: `select delivery_id as key, pg_column_size(payload) as size from webhook_deliveries
             where received_at < $1::timestamptz and status <> 'queued'`,
      value: cutoff(rule, "webhook payloads"),
    }),
    remove: (keys) => `delete from webhook_deliveries where delivery_id in (${keys})`,
  },
  // Lines of runs still in progress stay, however old: their page and their reports read them.
  "phase-logs": {
    all: `select id::text as key, octet_length(line) as size from phase_log_lines`,
    matching: (rule) => ({
      sql: `select line.id::text as key, octet_length(line.line) as size
              from phase_log_lines line
              join run_phases phase on phase.id = line.phase_id
              join run_components component on component.id = phase.run_component_id
             where line.logged_at < $1::timestamptz and ${runIsTerminal("component.run_id")}`,
      value: cutoff(rule, "phase logs"),
    }),
    remove: (keys) => `delete from phase_log_lines where id in (${keys}::bigint)`,
  },
  // A sealed plan is applied or discarded once its run is over; until then it is what /apply runs.
  plans: {
    all: `select id::text as key, octet_length(sealed_workspace) as size from run_components
           where sealed_workspace is not null`,
    matching: (rule) => ({
      sql: `select component.id::text as key, octet_length(component.sealed_workspace) as size
              from run_components component
             where component.sealed_workspace is not null and component.updated_at < $1::timestamptz
               and ${runIsTerminal("component.run_id")}`,
      value: cutoff(rule, "sealed plans"),
    }),
    remove: (keys) =>
      `update run_components set sealed_workspace = null where id in (${keys}::uuid)`,
  },
  // Never a component's latest version, nor one a revision points at (its rollback target).
  "state-versions": {
    all: `select id::text as key, octet_length(sealed_body) as size from state_versions`,
    matching: (rule) => {
      const ranked = `select version.id, version.sealed_body, version.created_at,
                             row_number() over (partition by version.component_id
                                                order by version.serial desc) as rank
                        from state_versions version`;
      const unreferenced = `not exists (select 1 from revisions where revisions.state_version_id = ranked.id)`;
      return "olderThan" in rule
        ? {
            sql: `select ranked.id::text as key, octet_length(ranked.sealed_body) as size
                    from (${ranked}) ranked
                   where ranked.rank > 1 and ranked.created_at < $1::timestamptz and ${unreferenced}`,
            value: rule.olderThan.toISOString(),
          }
        : {
            sql: `select ranked.id::text as key, octet_length(ranked.sealed_body) as size
                    from (${ranked}) ranked
                   where ranked.rank > greatest($1::int, 1) and ${unreferenced}`,
            value: rule.keepNewest,
          };
    },
    remove: (keys) => `delete from state_versions where id in (${keys}::uuid)`,
  },
} satisfies Record<string, Kind>;

export type StoredRetentionKind = keyof typeof KINDS;

/** The retention targets that live in the database, in raw SQL on either database. */
export function createRetentionRepository(
  database: Pick<Database, "transaction">,
): Record<StoredRetentionKind, RetentionTarget> {
  const run = (statement: string, values: unknown[] = []) =>
    database.transaction((tx) => tx.executeSql(statement, values));
  const tally = async (rows: string, values: unknown[] = []): Promise<Tally> => {
    const {
      rows: [row],
    } = await run(
      `select count(*) as items, coalesce(sum(size), 0) as bytes from (${rows}) matched`,
      values,
    );
    return TallyRow.parse(row);
  };
  const target = (kind: Kind): RetentionTarget => ({
    measure: () => tally(kind.all),
    expired(rule) {
      const { sql, value } = kind.matching(rule);
      return tally(sql, [value]);
    },
    async remove(rule) {
      const { sql, value } = kind.matching(rule);
      const removed: Tally = { items: 0, bytes: 0 };
      for (;;) {
        // One batch: measured and deleted in one transaction, so the tally is what went.
        const batch = await database.transaction(async (tx) => {
          const { rows } = await tx.executeSql(
            `select count(*) as items, coalesce(sum(size), 0) as bytes, array_agg(key) as keys
               from (${sql} limit ${BATCH}) matched`,
            [value],
          );
          const counted = BatchRow.parse(rows[0]);
          if (counted.items > 0) {
            await tx.executeSql(kind.remove("select unnest($1::text[])"), [counted.keys]);
          }
          return counted;
        });
        removed.items += batch.items;
        removed.bytes += batch.bytes;
        if (batch.items < BATCH) return removed;
      }
    },
  });
  return {
    "webhook-payloads": target(KINDS["webhook-payloads"]),
    "phase-logs": target(KINDS["phase-logs"]),
    plans: target(KINDS.plans),
    "state-versions": target(KINDS["state-versions"]),
  };
}

const BatchRow = TallyRow.extend({
  keys: z
    .array(z.string())
    .nullable()
    .transform((keys) => keys ?? []),
});
