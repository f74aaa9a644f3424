import type { RuntimeConfig } from "../config/runtime-config.js";
import { MANUAL_TRIGGER, type TriggerKind } from "../domain/run-kind.js";
import { inspectCommit } from "./changeset-pipeline.js";
import { openEnvironmentRun } from "./open-environment-run.js";
import type { PlanDeps } from "./plan-deps.js";
import { loadTrackedConfig } from "./tracked-config.js";

/** Who starts a run without a pull request: a signed-in person, or a machine user's API token. */
export type TriggerActor =
  { kind: "person"; login: string } | { kind: "token"; tokenId: string; name: string };

/** How a machine user is named wherever a run says who started it. */
export function machineUserLabel(tokenName: string): string {
  return `${tokenName} (API token)`;
}

/** How a run records the actor: the person's login, or the machine user's label. */
export function actorName(actor: TriggerActor): string {
  return actor.kind === "person" ? actor.login : machineUserLabel(actor.name);
}

export interface TriggerStackRunInput {
  installationId: number;
  /** `defaultBranch` is undefined until a webhook has named it: nothing can be triggered then. */
  repository: { id: number; fullName: string; defaultBranch: string | undefined };
  stack: string;
  environment: string;
  kind: TriggerKind;
  runtimeConfig?: RuntimeConfig | undefined;
  actor: TriggerActor;
}

/** Why a trigger started nothing, with the HTTP status the API answers it with. */
export interface TriggerRefusal {
  status: 404 | 409 | 422;
  reason: string;
}

export type TriggerOutcome =
  { kind: "started"; runId: string } | ({ kind: "refused" } & TriggerRefusal);

/**
 * A writer's run on one stack and environment, from the stack page, the HTTP API or the CLI
 * (docs/design.md "Runs without a pull request"): the tracked branch's head with its `bosun.yml`,
 * planned as a tracked run (applied through the usual approval or autodeploy), a plan-only run
 * (never applied), or a destroy of what is deployed, made with the commit it was deployed from.
 * Who may trigger is the caller's to check (write permission, or a `trigger` token).
 */
export async function triggerStackRun(
  deps: PlanDeps,
  input: TriggerStackRunInput,
): Promise<TriggerOutcome> {
  const refuse = (status: TriggerRefusal["status"], reason: string): TriggerOutcome => ({
    kind: "refused",
    status,
    reason,
  });
  const { defaultBranch } = input.repository;
  if (defaultBranch === undefined) {
    return refuse(
      409,
      `Bosun does not know ${input.repository.fullName}'s default branch yet (a push or pull request webhook tells it)`,
    );
  }
  const api = await deps.github(input.installationId, input.repository.fullName);
  const tracked = await loadTrackedConfig(api, defaultBranch);
  if (tracked.kind === "none")
    return refuse(409, `the tracked branch ${tracked.branch} has no bosun.yml`);
  if (tracked.kind === "invalid") {
    return refuse(
      409,
      `the tracked branch ${tracked.branch}'s bosun.yml does not parse; fix it before triggering`,
    );
  }
  const headSha = await api.branchHead(tracked.branch);
  if (headSha === undefined)
    return refuse(409, `the tracked branch ${tracked.branch} does not exist`);
  const target = { installationId: input.installationId, repository: input.repository };
  // The head's own bosun.yml, read from the archive the plan runs: the branch may have moved
  // since the tracked config above was read.
  const head = await inspectCommit(deps, api, target, headSha);
  if (!head.parsed?.ok) {
    return refuse(
      409,
      `bosun.yml at ${tracked.branch} (${headSha.slice(0, 7)}) is missing or does not parse`,
    );
  }
  const config = head.parsed.config;
  const stack = config.stacks.find((candidate) => candidate.name === input.stack);
  if (!stack) {
    const known = config.stacks.map((candidate) => candidate.name).sort();
    return refuse(
      404,
      `no stack ${input.stack} in bosun.yml at ${tracked.branch}; its stacks: ${known.join(", ") || "none"}`,
    );
  }
  if (!stack.environments.includes(input.environment)) {
    return refuse(
      404,
      `stack ${stack.name} does not run in environment ${input.environment}; it runs in ${stack.environments.join(", ")}`,
    );
  }

  await deps.pullRequests.upsertRepository({
    id: input.repository.id,
    installationId: input.installationId,
    fullName: input.repository.fullName,
    defaultBranch,
  });
  let baseSha = headSha;
  if (input.kind === "destroy") {
    const ids = await deps.components.ensureComponents(input.repository.id, [
      {
        stack: stack.name,
        environment: input.environment,
        dir: stack.dir,
        engine: stack.engine,
        production: config.environments[input.environment]?.production ?? false,
      },
    ]);
    const deployedFrom = await deps.components.deployedCommit(
      ids.get(`${stack.name}@${input.environment}`)!,
    );
    if (!deployedFrom) {
      return refuse(409, `nothing of ${stack.name}@${input.environment} is deployed to destroy`);
    }
    baseSha = deployedFrom;
  }
  const runId = await openEnvironmentRun(
    deps,
    {
      repositoryId: input.repository.id,
      pullRequestNumber: undefined,
      commitSha: headSha,
      kind: input.kind,
      trigger: MANUAL_TRIGGER,
      triggeredBy: actorName(input.actor),
      ...(input.actor.kind === "token" ? { triggeredByTokenId: input.actor.tokenId } : {}),
      ref: `refs/heads/${tracked.branch}`,
      ...(input.runtimeConfig ? { runtimeConfig: input.runtimeConfig } : {}),
    },
    {
      environment: input.environment,
      components: [{ stack: stack.name, change: input.kind === "destroy" ? "destroy" : "update" }],
    },
    { head: config, base: config, tracked: config, baseSha, findings: head.inspection.findings },
  );
  deps.log.info(
    {
      repo: input.repository.fullName,
      stack: stack.name,
      environment: input.environment,
      kind: input.kind,
      runId,
    },
    "run triggered",
  );
  return { kind: "started", runId };
}
