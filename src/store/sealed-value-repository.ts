import { z } from "zod";
import {
  notificationSecretContext,
  revisionOutputsContext,
  savedWorkspaceContext,
  signingKeyContext,
  stackSecretContext,
  stateVersionContext,
} from "../lib/seal-contexts.js";
import type { SealedKind, SealedValue, SealedValueStore } from "../services/sealed-value-port.js";
import type { Database } from "./database.js";

/** Where one kind of sealed value lives: its table, primary key, column and context. */
interface SealedColumn {
  table: string;
  /** The primary key's columns, each with the type its text is cast back to. */
  key: readonly { name: string; type: "uuid" | "text" | "bigint" }[];
  column: string;
  /** Further columns the context is made of, read as text. */
  fields: readonly string[];
  context(row: Record<string, string | null>): string;
}

const text = (row: Record<string, string | null>, name: string): string => row[name] ?? "";

const COLUMNS: Record<SealedKind, SealedColumn> = {
  "stack-secret": {
    table: "stack_secrets",
    key: [{ name: "id", type: "uuid" }],
    column: "sealed_value",
    fields: ["repository_id", "stack_name", "environment_name", "name"],
    context: (row) =>
      stackSecretContext(
        Number(row.repository_id),
        text(row, "stack_name"),
        row.environment_name ?? undefined,
        text(row, "name"),
      ),
  },
  "notification-secret": {
    table: "notification_secrets",
    key: [
      { name: "repository_id", type: "bigint" },
      { name: "name", type: "text" },
    ],
    column: "sealed_value",
    fields: [],
    context: (row) => notificationSecretContext(Number(row.repository_id), text(row, "name")),
  },
  "signing-key": {
    table: "oidc_signing_keys",
    key: [{ name: "kid", type: "text" }],
    column: "sealed_private_jwk",
    fields: [],
    context: (row) => signingKeyContext(text(row, "kid")),
  },
  "saved-workspace": {
    table: "run_components",
    key: [{ name: "id", type: "uuid" }],
    column: "sealed_workspace",
    fields: [],
    context: (row) => savedWorkspaceContext(text(row, "id")),
  },
  "revision-outputs": {
    table: "revisions",
    key: [{ name: "id", type: "uuid" }],
    column: "sealed_outputs",
    fields: ["component_id"],
    context: (row) => revisionOutputsContext(text(row, "component_id")),
  },
  "state-version": {
    table: "state_versions",
    key: [{ name: "id", type: "uuid" }],
    column: "sealed_body",
    fields: ["component_id", "serial"],
    context: (row) => stateVersionContext(text(row, "component_id"), Number(row.serial)),
  },
};

/** The envelope's first bytes when sealed under key `keyId`: version 2, then the key id. */
const prefixOf = (keyId: string): Buffer =>
  Buffer.concat([Buffer.from([2]), Buffer.from(keyId, "hex")]);

const Row = z.record(z.string(), z.unknown());
const Count = z.object({ total: z.coerce.number(), under_key: z.coerce.number() });

/**
 * The sealed values of every table, in raw SQL over one short transaction per statement: a
 * rotation beside a running Bosun holds no row for longer than one update.
 */
export function createSealedValueRepository(
  database: Pick<Database, "transaction">,
): SealedValueStore {
  const run = (statement: string, values: unknown[]) =>
    database.transaction((tx) => tx.executeSql(statement, values));
  const keyTuple = (column: SealedColumn) => column.key.map((key) => key.name).join(", ");
  const keyParameters = (column: SealedColumn, first: number) =>
    column.key.map((key, index) => `$${first + index}::text::${key.type}`).join(", ");
  return {
    async count(kind, keyId) {
      const column = COLUMNS[kind];
      const { rows } = await run(
        `select count(*) as total,
                count(*) filter (where substring(${column.column} from 1 for 5) = $1) as under_key
           from ${column.table} where ${column.column} is not null`,
        [prefixOf(keyId)],
      );
      const { total, under_key } = Count.parse(rows[0]);
      return { total, underKey: under_key };
    },
    async notUnderKey(kind, keyId, after, limit) {
      const column = COLUMNS[kind];
      const selected = [
        ...column.key.map((key) => `${key.name}::text as ${key.name}`),
        ...column.fields
          .filter((field) => !column.key.some((key) => key.name === field))
          .map((field) => `${field}::text as ${field}`),
      ].join(", ");
      const values: unknown[] = [prefixOf(keyId), limit];
      const cursor =
        after === undefined
          ? ""
          : `and (${keyTuple(column)}) > (${keyParameters(column, values.length + 1)})`;
      if (after) values.push(...after);
      const { rows } = await run(
        `select ${selected}, ${column.column} as sealed from ${column.table}
          where ${column.column} is not null
            and substring(${column.column} from 1 for 5) <> $1 ${cursor}
          order by ${keyTuple(column)} limit $2`,
        values,
      );
      return rows.map((raw): SealedValue => {
        const row = Row.parse(raw);
        const fields = Object.fromEntries(
          Object.entries(row)
            .filter(([name]) => name !== "sealed")
            .map(([name, value]) => [name, value === null ? null : String(value)]),
        );
        return {
          row: column.key.map((key) => text(fields, key.name)),
          sealed: Buffer.from(z.instanceof(Uint8Array).parse(row.sealed)),
          context: column.context(fields),
        };
      });
    },
    async replace(kind, row, was, now) {
      const column = COLUMNS[kind];
      const { rows } = await run(
        `update ${column.table} set ${column.column} = $1
          where (${keyTuple(column)}) = (${keyParameters(column, 3)}) and ${column.column} = $2
          returning 1 as replaced`,
        [now, was, ...row],
      );
      return rows.length === 1;
    },
  };
}
