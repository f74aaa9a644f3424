import type { RepoConfig } from "../config/repo-config.js";
import { parseRepoConfig, undeclaredInputProblems } from "../config/parse-repo-config.js";
import {
  affectedComponents,
  type AffectedEnvironment,
  type ChangedFile,
} from "../domain/affected-components.js";
import type { GithubRepoApi, GithubRepoReader } from "./github-port.js";
import { openEnvironmentRun, type RunOrigin } from "./open-environment-run.js";
import type { PlanDeps } from "./plan-deps.js";
import { reportConfigProblems } from "./reporter/index.js";
import { CONFIG_FILE } from "./tracked-config.js";
import type { SourceInspection } from "../runner/inspect-source.js";

/**
 * The one pipeline a change goes through, whether a pull request proposes it or a push to the
 * tracked branch deploys it: read the commit's bosun.yml from its archive, find the components the
 * change touches, and open a changeset run per affected environment. The two flows differ only in
 * how they decide that Bosun may act at all, and which commit they compare with.
 */

/** Where a change is reported: its repository, its pull request (none for a push) and commit. */
export interface ChangeTarget {
  installationId: number;
  repository: { id: number; fullName: string };
  number: number | undefined;
  headSha: string;
}

/** A commit's bosun.yml as text and parsed, and what its stacks are made of. */
export interface CommitSource {
  text: string | undefined;
  parsed: ReturnType<typeof parseRepoConfig> | undefined;
  inspection: SourceInspection;
}

/**
 * A commit's bosun.yml and what its stacks are made of, from its archive, downloaded to inspect the
 * stacks anyway, so a cycle does not ask GitHub for a file it already holds. An archive refused as
 * hostile yields no file: the configuration is then read from GitHub, and the run that prepares
 * that archive fails naming the entry.
 */
export async function inspectCommit(
  deps: Pick<PlanDeps, "fetchSource" | "inspectSource">,
  api: GithubRepoReader,
  target: Pick<ChangeTarget, "installationId" | "repository">,
  sha: string,
): Promise<CommitSource> {
  const archive = await deps.fetchSource({
    installationId: target.installationId,
    repositoryFullName: target.repository.fullName,
    sha,
  });
  const parse = (text: string | undefined) =>
    text === undefined ? undefined : parseRepoConfig(text, CONFIG_FILE);
  // Parsed once, when the inspection needs the stacks; the result is the commit's configuration.
  let parsed: CommitSource["parsed"];
  const inspection = await deps.inspectSource(archive, {
    configFile: CONFIG_FILE,
    stackDirs: (text) => {
      parsed = parse(text);
      return parsed?.ok ? parsed.config.stacks.map((stack) => stack.dir) : [];
    },
  });
  if (!inspection.refused) return { text: inspection.configText, parsed, inspection };
  const text = await api.readFile(CONFIG_FILE, sha);
  return { text, parsed: parse(text), inspection };
}

/** A change between two commits, as the pipeline needs it. */
export interface Change {
  /**
   * The configuration the change runs under (for a pull request, after the trust split);
   * undefined when the commit has no bosun.yml, so every stack of `base` is removed.
   */
  head: RepoConfig | undefined;
  /** Its bosun.yml as written, for problems with their lines. */
  headText: string | undefined;
  inspection: SourceInspection;
  /** The configuration compared with; undefined when that commit had none. */
  base: RepoConfig | undefined;
  /**
   * The files the change touches, or why they are unknown: GitHub listed only part of them, or
   * there is no commit to compare with (every stack is then planned against its deployed state).
   */
  changedFiles: ChangedFile[] | "more-than-listed" | "no-comparison";
}

export type AffectedOutcome =
  { kind: "affected"; environments: AffectedEnvironment[] } | { kind: "config-error" };

/**
 * The environments and components a change affects. Inputs the configuration gives a stack that
 * does not declare them are problems of the configuration, reported like any other.
 */
export async function affectedByChange(
  deps: Pick<PlanDeps, "pullRequests" | "publicUrl" | "match">,
  api: GithubRepoApi,
  target: ChangeTarget,
  change: Change,
): Promise<AffectedOutcome> {
  const { inspection } = change;
  const head = change.head ?? { environments: {}, stacks: [] };
  if (change.head && change.headText !== undefined) {
    const undeclared = undeclaredInputProblems(change.headText, change.head, (dir) =>
      inspection.declaredVariables.get(dir),
    );
    if (undeclared.length > 0) {
      await reportConfigProblems(deps, api, target, undeclared);
      return { kind: "config-error" };
    }
  }
  const changedFiles: ChangedFile[] = Array.isArray(change.changedFiles)
    ? change.changedFiles
    : head.stacks.map((stack) => ({
        filename: `${stack.dir}/${change.changedFiles === "more-than-listed" ? "(more than GitHub lists)" : "(planned against its deployed state)"}.tf`,
        status: "modified" as const,
      }));
  return {
    kind: "affected",
    environments: affectedComponents({
      base: change.base,
      head,
      watchedPaths: new Map(
        head.stacks.map((stack) => [
          stack.name,
          inspection.watchedPaths.get(stack.dir) ?? [stack.dir],
        ]),
      ),
      changedFiles,
      match: deps.match,
    }),
  };
}

/** Opens a changeset run in each affected environment; returns the runs' ids in that order. */
export async function startRuns(
  deps: PlanDeps,
  origin: RunOrigin,
  environments: readonly AffectedEnvironment[],
  context: Parameters<typeof openEnvironmentRun>[3],
): Promise<string[]> {
  const runIds: string[] = [];
  for (const environment of environments) {
    runIds.push(await openEnvironmentRun(deps, origin, environment, context));
  }
  return runIds;
}
