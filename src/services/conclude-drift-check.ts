import { isTerminal } from "../domain/component-phase.js";
import { driftOutcome } from "../domain/drift-outcome.js";
import type { PlanDeps } from "./plan-deps.js";
import { reconcileDrift } from "./reconcile-drift.js";

/**
 * What follows a drift check's end (its last component terminal): the environment's finding is
 * recorded (drifted, when, by which run), once however many of its components' jobs see the end;
 * with `drift.reconcile`, drift found opens a tracked run to put it back. The run's report, asked
 * for after this, brings the environment's issue in line (src/services/reporter/).
 */
export async function concludeDriftCheck(
  deps: PlanDeps,
  runId: string,
  now: Date = new Date(),
): Promise<void> {
  const view = await deps.runViews.runView(runId);
  if (view?.kind !== "drift" || !view.components.every((c) => isTerminal(c.phase))) return;
  const outcome = driftOutcome(view.components);
  const drifted = outcome.kind === "drifted" ? true : outcome.kind === "clean" ? false : undefined;
  const recorded = await deps.drift.recordDriftOutcome(runId, drifted, now);
  const log = deps.log.child({
    runId,
    repo: view.repositoryFullName,
    environment: view.environment,
  });
  if (outcome.kind === "inconclusive") {
    log.warn({ stacks: outcome.stacks }, "drift check inconclusive: a plan did not finish");
    return;
  }
  if (!recorded) return;
  log.info(
    { drifted, stacks: outcome.kind === "drifted" ? outcome.stacks.map((s) => s.stack) : [] },
    "drift check concluded",
  );
  if (outcome.kind === "drifted" && recorded.reconcile) {
    // The finding is recorded and the issue follows whatever happens here: a reconcile run that
    // cannot be opened now is opened by a later check that finds the drift again.
    try {
      await reconcileDrift(
        deps,
        view,
        outcome.stacks.map((stack) => stack.stack),
      );
    } catch (error) {
      log.error({ err: error }, "drift reconcile run could not be opened");
    }
  }
}
