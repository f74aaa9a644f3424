import { parseRepoConfig, undeclaredInputProblems } from "../config/parse-repo-config.js";
import { type RepoConfig } from "../config/repo-config.js";
import { affectedComponents, type ChangedFile } from "../domain/affected-components.js";
import { openEnvironmentRun, preplanFindings } from "./open-environment-run.js";
import { CONFIG_FILE, loadTrackedConfig } from "./plan-pull-request.js";
import type { PlanDeps } from "./plan-deps.js";
import { reportConfigProblems } from "./report-config-problems.js";

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
  const text = await api.readFile(CONFIG_FILE, input.after);
  if (text === undefined) return { kind: "no-config" };
  const parsed = parseRepoConfig(text, CONFIG_FILE);
  if (!parsed.ok) {
    await reportConfigProblems(
      deps,
      api,
      { repository: input.repository, number: undefined, headSha: input.after },
      parsed.problems,
    );
    return { kind: "config-error" };
  }
  // Pushed to the tracked branch, the config is the tracked config: nothing to split.
  const config = parsed.config;

  const comparable = !input.forced && !NO_COMMIT.test(input.before);
  const baseSha = comparable ? input.before : input.after;
  const base = comparable ? await configAt(api, input.before) : undefined;
  const changedFiles: ChangedFile[] = comparable
    ? await changedSince(api, input.before, input.after, config)
    : config.stacks.map((stack) => ({
        filename: `${stack.dir}/(planned against its deployed state).tf`,
        status: "modified" as const,
      }));

  const archive = await deps.fetchSource({
    installationId: input.installationId,
    repositoryFullName: input.repository.fullName,
    sha: input.after,
  });
  const inspection = await deps.inspectSource(archive, {
    configFile: CONFIG_FILE,
    stackDirs: () => config.stacks.map((stack) => stack.dir),
  });
  const undeclared = undeclaredInputProblems(text, config, (dir) =>
    inspection.declaredVariables.get(dir),
  );
  if (undeclared.length > 0) {
    await reportConfigProblems(
      deps,
      api,
      { repository: input.repository, number: undefined, headSha: input.after },
      undeclared,
    );
    return { kind: "config-error" };
  }
  const affected = affectedComponents({
    base,
    head: config,
    watchedPaths: new Map(
      config.stacks.map((stack) => [
        stack.name,
        inspection.watchedPaths.get(stack.dir) ?? [stack.dir],
      ]),
    ),
    changedFiles,
    match: deps.match,
  });
  if (affected.length === 0) return { kind: "nothing-affected" };

  const mergedPullRequest = await api.mergedPullRequestOf(input.after);
  const runIds: string[] = [];
  for (const environment of affected) {
    runIds.push(
      await openEnvironmentRun(
        deps,
        {
          repositoryId: input.repository.id,
          pullRequestNumber: mergedPullRequest,
          commitSha: input.after,
          kind: "tracked",
          trigger: "push",
          triggeredBy: input.pusher,
        },
        environment,
        { head: config, base, baseSha, findings: preplanFindings(inspection.findings, []) },
      ),
    );
  }
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
  config: RepoConfig,
): Promise<ChangedFile[]> {
  const comparison = await api.compare(before, after);
  return comparison.truncated
    ? config.stacks.map((stack) => ({
        filename: `${stack.dir}/(more than GitHub lists).tf`,
        status: "modified" as const,
      }))
    : comparison.files;
}
