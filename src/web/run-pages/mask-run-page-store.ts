import type { MaskLines } from "../../lib/mask-strings.js";
import { maskStrings } from "../../lib/mask-strings.js";
import type { RunPageStore } from "../../services/run-page-port.js";

/**
 * The run pages' store with every text of a run, its components and stacks masked as it is read
 * (outputs, scan findings, `bosun.yml` problems, failure reasons, names from the pull request):
 * much of it came from the pull request and never went through the engine's masking. Phase logs
 * are stored masked line by line as they stream and are passed through as they are; so are the
 * repository lookups, which carry GitHub's names and are what access is decided on.
 */
export function maskRunPageStore(store: RunPageStore, maskLines: MaskLines): RunPageStore {
  const masked = async <T>(value: Promise<T>): Promise<T> => maskStrings(await value, maskLines);
  return {
    repository: (repositoryId) => store.repository(repositoryId),
    repositoryByName: (fullName) => store.repositoryByName(fullName),
    stacks: (repositoryId) => masked(store.stacks(repositoryId)),
    stack: (repositoryId, name) => masked(store.stack(repositoryId, name)),
    run: (runId) => masked(store.run(runId)),
    phaseLog: (runId, phaseId) => store.phaseLog(runId, phaseId),
    runs: (query) => masked(store.runs(query)),
    component: (componentId) => masked(store.component(componentId)),
  };
}
