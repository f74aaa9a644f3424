import { pgTable, unique, uuid } from "drizzle-orm/pg-core";
import { changesets } from "./changesets.js";
import { components } from "./components.js";
import { changeKind } from "./enums.js";

/** At most one change per component per changeset (docs/design.md invariant 8), kept by the unique key. */
export const changes = pgTable(
  "changes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    changesetId: uuid("changeset_id")
      .notNull()
      .references(() => changesets.id, { onDelete: "cascade" }),
    componentId: uuid("component_id")
      .notNull()
      .references(() => components.id, { onDelete: "cascade" }),
    kind: changeKind("kind").notNull(),
  },
  (table) => [unique("changes_changeset_component").on(table.changesetId, table.componentId)],
);
