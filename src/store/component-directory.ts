import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { ComponentDirectory } from "../services/state-port.js";
import type { Db } from "./database.js";
import { components, environments, repositories, stacks } from "./schema/index.js";

/** How many existing names a "not found" answer lists. */
const KNOWN_LIMIT = 20;

/** Finds components by the names operators use: `owner/repo:stack@env`. */
export function createComponentDirectory(db: Db): ComponentDirectory {
  return {
    async find(address) {
      // GitHub names are case-insensitive. A repository deleted and re-created under the same
      // name has two rows: prefer the one still installed, then the newest.
      const [repository] = await db
        .select({ id: repositories.id })
        .from(repositories)
        .where(sql`lower(${repositories.fullName}) = lower(${address.repository})`)
        .orderBy(sql`${repositories.removedAt} is not null`, desc(repositories.createdAt))
        .limit(1);
      if (!repository) {
        const known = await db
          .select({ name: repositories.fullName })
          .from(repositories)
          .orderBy(asc(repositories.fullName))
          .limit(KNOWN_LIMIT);
        return { found: false, missing: "repository", known: known.map((row) => row.name) };
      }
      const [stack] = await db
        .select({ id: stacks.id })
        .from(stacks)
        .where(and(eq(stacks.repositoryId, repository.id), eq(stacks.name, address.stack)));
      if (!stack) {
        const known = await db
          .select({ name: stacks.name })
          .from(stacks)
          .where(eq(stacks.repositoryId, repository.id))
          .orderBy(asc(stacks.name))
          .limit(KNOWN_LIMIT);
        return { found: false, missing: "stack", known: known.map((row) => row.name) };
      }
      const [environment] = await db
        .select({ id: environments.id })
        .from(environments)
        .where(
          and(
            eq(environments.repositoryId, repository.id),
            eq(environments.name, address.environment),
          ),
        );
      if (!environment) {
        const known = await db
          .select({ name: environments.name })
          .from(environments)
          .where(eq(environments.repositoryId, repository.id))
          .orderBy(asc(environments.name))
          .limit(KNOWN_LIMIT);
        return { found: false, missing: "environment", known: known.map((row) => row.name) };
      }
      const [component] = await db
        .select({ id: components.id })
        .from(components)
        .where(and(eq(components.stackId, stack.id), eq(components.environmentId, environment.id)));
      if (!component) {
        const known = await db
          .select({ name: environments.name })
          .from(components)
          .innerJoin(environments, eq(environments.id, components.environmentId))
          .where(eq(components.stackId, stack.id))
          .orderBy(asc(environments.name))
          .limit(KNOWN_LIMIT);
        return { found: false, missing: "component", known: known.map((row) => row.name) };
      }
      return { found: true, componentId: component.id };
    },
  };
}
