import type { RepoConfig } from "../config/repo-config.js";
import { splitTrust } from "../config/split-trust.js";
import type { AffectedEnvironment, ChangedFile } from "../domain/affected-components.js";
import { affectedByChange, inspectCommit, startRuns } from "./changeset-pipeline.js";
import { preplanFindings } from "./open-environment-run.js";
import type { PlanDeps } from "./plan-deps.js";
import { reportConfigProblems } from "./reporter/index.js";
import { loadTrackedConfig } from "./tracked-config.js";

export interface TagPushInput {
  installationId: number;
  repository: { id: number; fullName: string; defaultBranch: string };
  /** `refs/tags/NAME`. */
  ref: string;
  /** The commit the tag points at (for an annotated tag, the commit, not the tag object). */
  commitSha: string;
  deleted: boolean;
  pusher: string;
}

export type TagPushOutcome =
  | { kind: "not-tracked" }
  | { kind: "config-error" }
  | { kind: "nothing-affected" }
  | { kind: "started"; runIds: string[] };

const TAG_PREFIX = "refs/tags/";

/**
 * A pushed tag that the tracked branch's `tracked_tags` names deploys (docs/design.md
 * `tracked_tags`): a tracked run, per environment, of the components whose files changed between
 * the commit each last deployed and the tag's commit, and of those never deployed. The rules
 * (autodeploy, cloud roles, policies) are the tracked branch's, as for a pull request.
 */
export async function trackTagPush(deps: PlanDeps, input: TagPushInput): Promise<TagPushOutcome> {
  if (input.deleted || !input.ref.startsWith(TAG_PREFIX)) return { kind: "not-tracked" };
  const tag = input.ref.slice(TAG_PREFIX.length);
  const api = await deps.github(input.installationId, input.repository.fullName);
  const tracked = await loadTrackedConfig(api, input.repository.defaultBranch);
  if (tracked.kind !== "valid") return { kind: "not-tracked" };
  if (!tracked.config.tracked_tags.some((pattern) => deps.match(pattern, tag)))
    return { kind: "not-tracked" };

  await deps.pullRequests.upsertRepository({
    id: input.repository.id,
    installationId: input.installationId,
    fullName: input.repository.fullName,
    defaultBranch: input.repository.defaultBranch,
  });
  const target = { ...input, number: undefined, headSha: input.commitSha };
  const head = await inspectCommit(deps, api, input, input.commitSha);
  if (head.parsed === undefined) return { kind: "nothing-affected" };
  if (!head.parsed.ok) {
    await reportConfigProblems(deps, api, target, head.parsed.problems);
    return { kind: "config-error" };
  }
  const config = splitTrust(head.parsed.config, tracked.config);

  // Each component is compared with the commit it last deployed: one comparison per such commit.
  const deployedAt = await deployedCommits(deps, input.repository.id, config);
  const byEnvironment = new Map<string, AffectedEnvironment>();
  for (const [deployed, components] of groupBy(deployedAt)) {
    const changedFiles = deployed === undefined ? "no-comparison" : await changedSince(deployed);
    const found = await affectedByChange(deps, api, target, {
      head: config,
      headText: head.text,
      inspection: head.inspection,
      base: config,
      changedFiles,
    });
    if (found.kind === "config-error") return found;
    for (const environment of found.environments) {
      const wanted = environment.components.filter((component) =>
        components.has(`${component.stack}@${environment.environment}`),
      );
      if (wanted.length === 0) continue;
      const entry = byEnvironment.get(environment.environment) ?? {
        ...environment,
        components: [],
      };
      entry.components.push(...wanted);
      byEnvironment.set(environment.environment, entry);
    }
  }
  const environments = [...byEnvironment.values()];
  if (environments.length === 0) return { kind: "nothing-affected" };

  const runIds = await startRuns(
    deps,
    {
      repositoryId: input.repository.id,
      pullRequestNumber: undefined,
      commitSha: input.commitSha,
      kind: "tracked",
      trigger: "tag",
      triggeredBy: input.pusher,
      ref: input.ref,
    },
    environments,
    {
      head: config,
      base: config,
      tracked: tracked.config,
      baseSha: input.commitSha,
      findings: preplanFindings(head.inspection.findings, []),
    },
  );
  deps.log.info({ repo: input.repository.fullName, tag, runIds }, "tag runs started");
  return { kind: "started", runIds };

  async function changedSince(deployed: string): Promise<ChangedFile[] | "more-than-listed"> {
    if (deployed === input.commitSha) return [];
    const comparison = await api.compare(deployed, input.commitSha);
    return comparison.truncated ? "more-than-listed" : comparison.files;
  }
}

/** Every component of `config` (stack × environment) with the commit it last deployed, if any. */
async function deployedCommits(
  deps: PlanDeps,
  repositoryId: number,
  config: RepoConfig,
): Promise<Map<string, string | undefined>> {
  const wanted = config.stacks.flatMap((stack) =>
    stack.environments.map((environment) => ({
      stack: stack.name,
      environment,
      dir: stack.dir,
      engine: stack.engine,
      production: config.environments[environment]?.production ?? false,
    })),
  );
  const ids = await deps.components.ensureComponents(repositoryId, wanted);
  const deployed = new Map<string, string | undefined>();
  for (const [key, id] of ids) deployed.set(key, await deps.components.deployedCommit(id));
  return deployed;
}

/** `stack@environment` keys grouped by the commit they deployed (undefined: never deployed). */
function groupBy(
  deployedAt: ReadonlyMap<string, string | undefined>,
): Map<string | undefined, Set<string>> {
  const groups = new Map<string | undefined, Set<string>>();
  for (const [key, commit] of deployedAt) {
    const group = groups.get(commit) ?? new Set<string>();
    group.add(key);
    groups.set(commit, group);
  }
  return groups;
}
