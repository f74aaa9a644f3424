import type { Refusal } from "../render/command-reply.js";
import type { PlanDeps } from "./plan-deps.js";
import type { RunView } from "./run-view-port.js";

/**
 * The runs a request names: the latest of each open changeset of the PR, or the one run a button
 * (by its check run) or the HTTP API (by its id) names.
 */
export async function selectRuns(
  deps: Pick<PlanDeps, "runViews">,
  request: {
    repository: { id: number };
    number: number | undefined;
    environment?: string | undefined;
    checkRunId?: number;
    runId?: string;
    stacks?: readonly string[];
  },
): Promise<{ runs: RunView[] } | { refusal: Refusal }> {
  if (request.checkRunId !== undefined || request.runId !== undefined) {
    const run =
      request.checkRunId !== undefined
        ? await deps.runViews.runByCheckRun(request.repository.id, request.checkRunId)
        : await deps.runViews.runInRepository(request.repository.id, request.runId!);
    if (!run) return { refusal: { kind: "nothing-to-apply" } };
    // Tracked runs are never replaced; each waits for its own approval.
    if (run.kind === "tracked" || request.number === undefined) return { runs: [run] };
    // A button on an older plan's check run (or an API call naming it) must not confirm a plan
    // that was replaced since.
    const latest = await runsOf(deps, request.repository.id, request.number);
    return latest.some((view) => view.runId === run.runId)
      ? { runs: [run] }
      : { refusal: { kind: "nothing-to-apply" } };
  }
  const latest =
    request.number === undefined ? [] : await runsOf(deps, request.repository.id, request.number);
  // With no plan at all, every environment would read as unknown, however bosun.yml declares it.
  if (latest.length === 0) return { refusal: { kind: "nothing-to-apply" } };
  const known = latest.map((run) => run.environment);
  if (request.environment !== undefined && !known.includes(request.environment)) {
    return { refusal: { kind: "unknown-environment", names: [request.environment], known } };
  }
  const runs = latest.filter(
    (run) => request.environment === undefined || run.environment === request.environment,
  );
  const stacks = [
    ...new Set(runs.flatMap((run) => run.components.map((component) => component.stack))),
  ].sort();
  const unknown = (request.stacks ?? []).filter((stack) => !stacks.includes(stack));
  if (unknown.length > 0)
    return { refusal: { kind: "unknown-stack", names: unknown, known: stacks } };
  return { runs };
}

/**
 * The runs a pull request's commands act on: its open changesets' latest runs; once it is merged,
 * the tracked runs its merge started (the newest per environment), except in an environment where
 * a revert or a promotion opened a changeset of the pull request since.
 */
async function runsOf(
  deps: Pick<PlanDeps, "runViews">,
  repositoryId: number,
  number: number,
): Promise<RunView[]> {
  const open = await deps.runViews.latestRunsOfPullRequest(repositoryId, number);
  const newest = new Map<string, RunView>(open.map((run) => [run.environment, run]));
  const tracked = await deps.runViews.trackedRunsOfPullRequest(repositoryId, number);
  for (const run of tracked) if (!newest.has(run.environment)) newest.set(run.environment, run);
  return [...newest.values()].sort((a, b) => a.environment.localeCompare(b.environment));
}
