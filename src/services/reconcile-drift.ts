import { inspectCommit } from "./changeset-pipeline.js";
import { openEnvironmentRun } from "./open-environment-run.js";
import type { PlanDeps } from "./plan-deps.js";
import type { RunView } from "./run-view-port.js";
import { DRIFT_ACTOR } from "./start-drift-check.js";
import { loadTrackedConfig } from "./tracked-config.js";

/** The trigger of a tracked run opened to put drift back. */
export const RECONCILE_TRIGGER = "drift";

/**
 * `drift.reconcile: true`: a tracked run at the tracked branch's head for the stacks a check
 * found drifted, planned and applied like a push's (it waits UNCONFIRMED unless the stack
 * autodeploys and no policy objects). Nothing is opened while the tracked branch's bosun.yml does
 * not parse or no longer asks for it, and a stack with an open tracked run is left to that run
 * (or to whoever decides on it) rather than queueing another behind it at every check.
 */
export async function reconcileDrift(
  deps: PlanDeps,
  check: RunView,
  drifted: readonly string[],
): Promise<void> {
  const log = deps.log.child({ runId: check.runId, environment: check.environment });
  if (check.defaultBranch === undefined) return;
  const api = await deps.github(check.installationId, check.repositoryFullName);
  const tracked = await loadTrackedConfig(api, check.defaultBranch);
  if (tracked.kind !== "valid") {
    log.warn(
      { branch: tracked.branch },
      "drift not reconciled: no valid bosun.yml on the tracked branch",
    );
    return;
  }
  if (tracked.config.environments[check.environment]?.drift?.reconcile !== true) return;
  const headSha = await api.branchHead(tracked.branch);
  if (headSha === undefined) return;
  const target = {
    installationId: check.installationId,
    repository: { id: check.repositoryId, fullName: check.repositoryFullName },
  };
  // The head's own bosun.yml, from the archive the plan runs: the branch may have moved since.
  const head = await inspectCommit(deps, api, target, headSha);
  if (!head.parsed?.ok) return;
  const config = head.parsed.config;
  const componentOf = new Map(check.components.map((c) => [c.stack, c.componentId]));
  const busy = new Set(await deps.components.withOpenTrackedRuns([...componentOf.values()]));
  const stacks = drifted.filter(
    (name) =>
      !busy.has(componentOf.get(name) ?? "") &&
      config.stacks.some(
        (stack) => stack.name === name && stack.environments.includes(check.environment),
      ),
  );
  if (stacks.length === 0) {
    log.info(
      { drifted },
      "drift not reconciled: each drifted stack has an open tracked run, or is gone",
    );
    return;
  }
  const runId = await openEnvironmentRun(
    deps,
    {
      repositoryId: check.repositoryId,
      pullRequestNumber: undefined,
      commitSha: headSha,
      kind: "tracked",
      trigger: RECONCILE_TRIGGER,
      triggeredBy: DRIFT_ACTOR,
      ref: `refs/heads/${tracked.branch}`,
    },
    {
      environment: check.environment,
      components: stacks.map((stack) => ({ stack, change: "update" })),
    },
    {
      head: config,
      base: config,
      tracked: config,
      baseSha: headSha,
      findings: head.inspection.findings,
    },
  );
  log.info({ reconcileRunId: runId, stacks }, "drift reconcile run opened");
}
