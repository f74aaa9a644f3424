import { tracksEnvironment } from "../config/split-trust.js";
import { replaySpec } from "../domain/changeset-origin.js";
import type { DriftCandidate } from "./drift-port.js";
import {
  type ComponentToRun,
  replayedPlacement,
  startChangesetRun,
} from "./open-environment-run.js";
import type { PlanDeps } from "./plan-deps.js";
import { loadTrackedConfig } from "./tracked-config.js";

/** The trigger a drift check records, and who its pages say started it. */
export const DRIFT_TRIGGER = "schedule";
export const DRIFT_ACTOR = "bosun (drift)";

export type DriftCheckStart =
  { kind: "started"; runId: string } | { kind: "skipped"; reason: string };

/**
 * A drift check of one environment (docs/design.md "Runs without a pull request"): a plan-only
 * run (kind `drift`) of every deployed component at the commit it was deployed from, with the
 * inputs its revision recorded, so that any change the plan shows was made outside Bosun. Only
 * stacks the tracked branch still declares for the environment are checked (an orphaned stack
 * is no longer Bosun's); when its bosun.yml does not parse, every deployed one is, the check
 * reading nothing from it. A repository whose tracked branch has no bosun.yml is not checked.
 */
export async function startDriftCheck(
  deps: PlanDeps,
  environment: DriftCandidate,
): Promise<DriftCheckStart> {
  const skip = (reason: string): DriftCheckStart => ({ kind: "skipped", reason });
  if (environment.defaultBranch === undefined)
    return skip("the repository's default branch is not known yet");
  const api = await deps.github(environment.installationId, environment.repositoryFullName);
  const tracked = await loadTrackedConfig(api, environment.defaultBranch);
  if (tracked.kind === "none") return skip(`the tracked branch ${tracked.branch} has no bosun.yml`);
  const trackedConfig = tracked.kind === "valid" ? tracked.config : undefined;
  const deployed = (await deps.drift.deployedComponents(environment.environmentId)).filter(
    (component) =>
      trackedConfig === undefined ||
      tracksEnvironment(trackedConfig, component.stack, environment.environment),
  );
  if (deployed.length === 0) return skip("nothing deployed to check");

  // Never applied: the plan's changes are the finding. Policies judge what would be applied; a
  // reconcile run is held to them.
  const toRun: ComponentToRun[] = deployed.map((component) => ({
    stack: component.stack,
    change: "update",
    spec: replaySpec(component.revision, {
      policies: [],
      production: environment.production,
      stackWideSecrets: tracksEnvironment(trackedConfig, component.stack, environment.environment),
    }),
  }));
  const specOf = new Map(toRun.map((component) => [component.stack, component.spec]));
  const newest = deployed.reduce((a, b) => (b.appliedAt > a.appliedAt ? b : a));
  const runId = await startChangesetRun(
    deps,
    {
      repositoryId: environment.repositoryId,
      pullRequestNumber: undefined,
      // The run shows the newest deployed commit; each component plans its own (spec.sourceSha).
      commitSha: newest.revision.commitSha,
      kind: "drift",
      trigger: DRIFT_TRIGGER,
      triggeredBy: DRIFT_ACTOR,
      ref: `refs/heads/${tracked.branch}`,
    },
    environment.environment,
    toRun,
    {
      ...replayedPlacement(specOf),
      production: environment.production,
      findings: [],
    },
  );
  return { kind: "started", runId };
}
