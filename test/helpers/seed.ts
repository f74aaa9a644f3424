import type { ComponentSpec } from "../../src/domain/component-spec.js";
import type { Db } from "../../src/store/database.js";
import {
  components,
  environments,
  installations,
  repositories,
  runComponents,
  runs,
  stacks,
} from "../../src/store/schema/index.js";

export const SHA = "0123abc0123abc0123abc0123abc0123abc0123a";

export const networkSpec = (overrides: Partial<ComponentSpec> = {}): ComponentSpec => ({
  stack: "network",
  environment: "dev",
  dir: "infra/network",
  engine: "opentofu",
  varFiles: ["env/${environment}.tfvars"],
  variables: { region: "eu-west-1" },
  state: undefined,
  ...overrides,
});

/** The rows a run needs, as the pull-request flow would create them: idempotent per repository. */
export async function seedRepository(db: Db, repositoryId = 1296269, installationId = 1) {
  await db
    .insert(installations)
    .values({ id: installationId, accountLogin: "acme" })
    .onConflictDoNothing();
  await db
    .insert(repositories)
    .values({ id: repositoryId, installationId, fullName: "acme/infra" })
    .onConflictDoNothing();
  return { repositoryId, installationId };
}

export async function seedComponent(db: Db, spec: ComponentSpec, repositoryId = 1296269) {
  await seedRepository(db, repositoryId);
  const [environment] = await db
    .insert(environments)
    .values({ repositoryId, name: spec.environment })
    .onConflictDoUpdate({
      target: [environments.repositoryId, environments.name],
      set: { name: spec.environment },
    })
    .returning();
  const [stack] = await db
    .insert(stacks)
    .values({ repositoryId, name: spec.stack, dir: spec.dir, engine: spec.engine })
    .onConflictDoUpdate({ target: [stacks.repositoryId, stacks.name], set: { dir: spec.dir } })
    .returning();
  const [component] = await db
    .insert(components)
    .values({ stackId: stack!.id, environmentId: environment!.id })
    .onConflictDoUpdate({
      target: [components.stackId, components.environmentId],
      set: { stackId: stack!.id },
    })
    .returning();
  return { environmentId: environment!.id, stackId: stack!.id, componentId: component!.id };
}

/** A proposed run of one component, QUEUED. */
export async function seedRun(
  db: Db,
  spec: ComponentSpec,
  commitSha = SHA,
  repositoryId = 1296269,
) {
  const { environmentId, componentId } = await seedComponent(db, spec, repositoryId);
  const [run] = await db
    .insert(runs)
    .values({
      repositoryId,
      environmentId,
      kind: "proposed",
      commitSha,
      trigger: "test",
      triggeredBy: "octocat",
    })
    .returning();
  const [runComponent] = await db
    .insert(runComponents)
    .values({ runId: run!.id, componentId, changeKind: "update", spec })
    .returning();
  return { runId: run!.id, runComponentId: runComponent!.id, componentId };
}
