import { parseRepoConfig } from "../config/parse-repo-config.js";
import { type RepoConfig } from "../config/repo-config.js";
import type { ChangedFile } from "../domain/affected-components.js";
import { affectedByChange, inspectCommit, startRuns } from "./changeset-pipeline.js";
import { preplanFindings } from "./open-environment-run.js";
import { recordDriftSettings } from "./record-drift-settings.js";
import { CONFIG_FILE, loadTrackedConfig } from "./tracked-config.js";
import type { PlanDeps } from "./plan-deps.js";
import { reportConfigProblems } from "./reporter/index.js";

/** A zero SHA: GitHub's "no commit" in `before` for a new branch. */
const NO_COMMIT = /^0{40}$/;

export interface PushInput {
  installationId: number;
  repository: { id: number; fullName: string; defaultBranch: string };
  ref: string;
  before: string;
  after: string;
  forced: boolean;
  deleted: boolean;
  pusher: string;
}

export type PushOutcome =
  | { kind: "not-tracked" }
  | { kind: "no-config" }
  | { kind: "config-error" }
  | { kind: "nothing-affected" }
  | { kind: "started"; runIds: string[] };

/**
 * Merging is deploying: a push to the tracked branch starts a tracked run per affected environment
 * for the components the push changed. A force push or a branch's first push has no trustworthy
 * `before`: then every component is planned, and its plan against the deployed state says whether
 * anything changed (no changes: FINISHED straight from planning).
 */
export async function trackPush(deps: PlanDeps, input: PushInput): Promise<PushOutcome> {
  if (input.deleted || !input.ref.startsWith("refs/heads/")) return { kind: "not-tracked" };
  const branch = input.ref.slice("refs/heads/".length);
  const api = await deps.github(input.installationId, input.repository.fullName);
  const tracked = await loadTrackedConfig(api, input.repository.defaultBranch);
  if (tracked.branch !== branch) return { kind: "not-tracked" };

  await deps.pullRequests.upsertRepository({
    id: input.repository.id,
    installationId: input.installationId,
    fullName: input.repository.fullName,
    defaultBranch: input.repository.defaultBranch,
  });
  const target = { ...input, number: undefined, headSha: input.after };
  // A tracked branch without bosun.yml may not use Bosun at all: one cheap read says so first.
  if (tracked.kind === "none" && (await api.readFile(CONFIG_FILE, input.after)) === undefined)
    return { kind: "no-config" };
  const head = await inspectCommit(deps, api, input, input.after);
  if (head.text === undefined || head.parsed === undefined) return { kind: "no-config" };
  if (!head.parsed.ok) {
    await reportConfigProblems(deps, api, target, head.parsed.problems);
    return { kind: "config-error" };
  }
  // Pushed to the tracked branch, the config is the tracked config: nothing to split.
  const config = head.parsed.config;
  await recordDriftSettings(deps, input.repository.id, config);

  const comparable = !input.forced && !NO_COMMIT.test(input.before);
  const baseSha = comparable ? input.before : input.after;
  const base = comparable ? await configAt(api, input.before) : undefined;
  const found = await affectedByChange(deps, api, target, {
    head: config,
    headText: head.text,
    inspection: head.inspection,
    base,
    changedFiles: comparable ? await changedSince(api, input.before, input.after) : "no-comparison",
  });
  if (found.kind === "config-error") return found;
  if (found.environments.length === 0) return { kind: "nothing-affected" };

  const mergedPullRequest = await api.mergedPullRequestOf(input.after);
  const runIds = await startRuns(
    deps,
    {
      repositoryId: input.repository.id,
      pullRequestNumber: mergedPullRequest,
      commitSha: input.after,
      kind: "tracked",
      trigger: "push",
      triggeredBy: input.pusher,
      ref: input.ref,
    },
    found.environments,
    {
      head: config,
      base,
      tracked: config,
      baseSha,
      findings: preplanFindings(head.inspection.findings, []),
    },
  );
  deps.log.info(
    { repo: input.repository.fullName, after: input.after, runIds },
    "tracked runs started",
  );
  return { kind: "started", runIds };
}

async function configAt(
  api: Awaited<ReturnType<PlanDeps["github"]>>,
  sha: string,
): Promise<RepoConfig | undefined> {
  const text = await api.readFile(CONFIG_FILE, sha);
  const parsed = text === undefined ? undefined : parseRepoConfig(text, CONFIG_FILE);
  return parsed?.ok ? parsed.config : undefined;
}

async function changedSince(
  api: Awaited<ReturnType<PlanDeps["github"]>>,
  before: string,
  after: string,
): Promise<ChangedFile[] | "more-than-listed"> {
  const comparison = await api.compare(before, after);
  return comparison.truncated ? "more-than-listed" : comparison.files;
}
