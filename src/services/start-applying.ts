import { enqueueRunComponent } from "./execute-run-component.js";
import type { GithubRepoWriter } from "./github-port.js";
import type { PlanDeps } from "./plan-deps.js";
import { reportApplying, requestReport } from "./reporter/index.js";
import type { RunView } from "./run-view-port.js";

/** A confirmed run starts applying: reported on GitHub (a deployment, a fresh check run), then its apply jobs. */
export async function startApplying(
  deps: PlanDeps,
  api: GithubRepoWriter,
  run: RunView,
  confirmed: string[],
): Promise<void> {
  await reportApplying(deps, api, run, confirmed);
  for (const component of run.components.filter((c) => confirmed.includes(c.runComponentId))) {
    await enqueueRunComponent(
      deps.queue,
      { runComponentId: component.runComponentId, action: "apply" },
      component.componentId,
    );
  }
  await requestReport(deps.queue, run.runId);
}
