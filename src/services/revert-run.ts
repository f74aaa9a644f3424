import { z } from "zod";
import { pullRequestRef } from "../domain/git-ref.js";
import { tracksEnvironment } from "../config/split-trust.js";
import { REVERT_TRIGGER, revertSpec } from "../domain/changeset-origin.js";
import { HELP_TEXT } from "../domain/command-help.js";
import type { Refusal } from "../render/command-reply.js";
import type { RunView } from "./run-view-port.js";
import { canWrite, type GithubRepoApi } from "./github-port.js";
import {
  type ComponentToRun,
  replayedPlacement,
  startChangesetRun,
} from "./open-environment-run.js";
import { loadTrackedConfig } from "./tracked-config.js";
import type { PlanDeps } from "./plan-deps.js";

/** A command that opens a changeset from a pull request's comment (`/revert`, `/promote`). */
export interface ChangesetCommand {
  repository: { id: number; fullName: string; defaultBranch: string };
  number: number;
  actor: string;
}

export type OpenedOutcome =
  { kind: "opened"; runIds: string[] } | { kind: "refused"; refusal: Refusal };

const RunId = z.uuid();

/**
 * `/revert [RUN]`: a new changeset per environment that replays, for every component the run
 * applied, the revision before it (its commit and rendered inputs), or destroys what the run
 * created. It belongs to the pull request it was commanded from, so its check run and comment
 * show there and `/apply` applies it; it is planned and applied like any other, and history is
 * never rewritten. Without RUN: the newest run of the pull request that applied something, per
 * environment (the tracked runs its merge started come first).
 */
export async function revertRun(
  deps: PlanDeps,
  api: GithubRepoApi,
  request: ChangesetCommand,
  runId: string | undefined,
): Promise<OpenedOutcome> {
  const refuse = (refusal: Refusal): OpenedOutcome => ({ kind: "refused", refusal });
  // Reverting changes infrastructure as much as applying does.
  if (!canWrite(await api.permissionOf(request.actor))) {
    return refuse({
      kind: "no-permission",
      user: request.actor,
      needed: "write",
      command: "/revert",
    });
  }
  // The tracked branch's policies bind the revert's plan: unknown while its bosun.yml does not
  // parse, so nothing is reverted until it is fixed (docs/design.md "Trust").
  const tracked = await loadTrackedConfig(api, request.repository.defaultBranch);
  if (tracked.kind === "invalid")
    return refuse({ kind: "tracked-config-broken", branch: tracked.branch });
  let runs: RunView[];
  if (runId !== undefined) {
    const run = RunId.safeParse(runId).success
      ? await deps.runViews.runInRepository(request.repository.id, runId)
      : undefined;
    if (!run) return refuse({ kind: "unknown-run", run: runId, help: HELP_TEXT });
    runs = [run];
  } else {
    runs = await newestAppliedRuns(deps, request);
    if (runs.length === 0) return refuse({ kind: "nothing-to-revert", run: undefined });
  }

  const trackedConfig = tracked.kind === "valid" ? tracked.config : undefined;
  const policies = trackedConfig?.policies ?? [];
  const pr = await api.pullRequest(request.number);
  const runIds: string[] = [];
  for (const run of runs) {
    const targets = await deps.changesets.revertTargets(run.runId);
    if (targets.length === 0) {
      if (runId !== undefined) return refuse({ kind: "nothing-to-revert", run: runId });
      continue;
    }
    const toRun: ComponentToRun[] = targets.map((target) => ({
      stack: target.stack,
      ...revertSpec(target, {
        policies,
        production: run.production,
        stackWideSecrets: tracksEnvironment(trackedConfig, target.stack, run.environment),
      }),
    }));
    const specOf = new Map(toRun.map((component) => [component.stack, component.spec]));
    runIds.push(
      await startChangesetRun(
        deps,
        {
          repositoryId: request.repository.id,
          pullRequestNumber: request.number,
          // The check run goes on the pull request's head so that it shows there; each
          // component runs the commit of the revision it replays (its spec's sourceSha).
          commitSha: pr.headSha,
          kind: "proposed",
          trigger: REVERT_TRIGGER,
          triggeredBy: request.actor,
          ref: pullRequestRef(request.number),
          replays: { revertsRunId: run.runId },
        },
        run.environment,
        toRun,
        {
          ...replayedPlacement(specOf),
          production: run.production,
          findings: [],
        },
      ),
    );
  }
  return runIds.length > 0
    ? { kind: "opened", runIds }
    : refuse({ kind: "nothing-to-revert", run: undefined });
}

async function newestAppliedRuns(
  deps: Pick<PlanDeps, "runViews">,
  request: ChangesetCommand,
): Promise<RunView[]> {
  const candidates = [
    ...(await deps.runViews.trackedRunsOfPullRequest(request.repository.id, request.number)),
    ...(await deps.runViews.pullRequestRuns(request.repository.id, request.number)),
  ];
  const newest = new Map<string, RunView>();
  for (const run of candidates) {
    if (newest.has(run.environment) || !run.components.some((c) => c.applied)) continue;
    newest.set(run.environment, run);
  }
  return [...newest.values()];
}
