import type { RepoConfig } from "../config/repo-config.js";
import { parseRepoConfig, undeclaredInputProblems } from "../config/parse-repo-config.js";
import { splitTrust } from "../config/split-trust.js";
import {
  affectedComponents,
  type AffectedEnvironment,
  type ChangedFile,
} from "../domain/affected-components.js";
import type { Refusal } from "../render/command-reply.js";
import { renderRefusal } from "../render/command-reply.js";
import { canWrite, type GithubRepoApi } from "./github-port.js";
import { openEnvironmentRun, preplanFindings } from "./open-environment-run.js";
import { reportConfigProblems } from "./report-config-problems.js";
import type { PlanDeps } from "./plan-deps.js";

export const CONFIG_FILE = "bosun.yml";

export interface PullRequestTrigger {
  installationId: number;
  repository: { id: number; fullName: string; defaultBranch: string };
  number: number;
  headSha: string;
  baseSha: string;
  baseRef: string;
  author: string;
  fork: boolean;
  /** What started it: the pull request event, a comment command, or a run page's Re-run button. */
  trigger: "pull_request" | "comment" | "button";
  triggeredBy: string;
  /** Narrowing from `/plan STACK… -e ENV` and `/replan -target=…`. */
  stacks?: readonly string[];
  environment?: string;
  targets?: readonly string[];
}

export type PlanOutcome =
  | { kind: "planned"; runIds: string[] }
  | { kind: "no-config" }
  | { kind: "config-error" }
  | { kind: "fork-refused" }
  | { kind: "awaiting-writer" }
  | { kind: "nothing-affected" }
  | { kind: "refused"; refusal: Refusal };

/**
 * A pull request opened or moved (or a writer's `/plan`): open or re-base the changeset of every
 * affected environment, start a proposed run in each, and report it. The PR's head decides the
 * stacks; who may do what comes from the tracked branch (docs/design.md "Trust").
 */
export async function planPullRequest(
  deps: PlanDeps,
  input: PullRequestTrigger,
): Promise<PlanOutcome> {
  const log = deps.log.child({ repo: input.repository.fullName, pr: input.number });
  const api = await deps.github(input.installationId, input.repository.fullName);
  await deps.pullRequests.upsertRepository({
    id: input.repository.id,
    installationId: input.installationId,
    fullName: input.repository.fullName,
    defaultBranch: input.repository.defaultBranch,
  });
  await deps.pullRequests.upsertPullRequest({
    repositoryId: input.repository.id,
    number: input.number,
    headSha: input.headSha,
    baseRef: input.baseRef,
    author: input.author,
    fork: input.fork,
  });

  const tracked = await loadTrackedConfig(api, input.repository.defaultBranch);
  if (tracked.kind === "invalid") {
    await notice(deps, api, input, "tracked-config-invalid", renderTrackedInvalid(tracked.branch));
    return { kind: "config-error" };
  }
  // A repository whose tracked branch has no bosun.yml may not use Bosun at all: one cheap read
  // says so before anything is downloaded.
  if (tracked.kind === "none" && (await api.readFile(CONFIG_FILE, input.headSha)) === undefined)
    return { kind: "no-config" };
  // Forks are a rule of the tracked branch's (docs/design.md "Trust"), known before the
  // pull request's code is fetched.
  const allowForks = tracked.kind === "valid" && tracked.config.apply.allow_forks;
  if (input.fork && !allowForks) {
    await notice(deps, api, input, "fork-not-allowed", renderRefusal({ kind: "fork-not-allowed" }));
    return { kind: "fork-refused" };
  }
  if (input.trigger === "pull_request" && !canWrite(await api.permissionOf(input.author))) {
    await notice(deps, api, input, "awaiting-writer", renderAwaitingWriter(input.author));
    return { kind: "awaiting-writer" };
  }

  const comparison = await api.compare(input.baseSha, input.headSha);
  // Both commits' bosun.yml come from their archives, downloaded to inspect the stacks anyway, so
  // a pull request's cycle does not ask GitHub for a file it already holds.
  const head = await inspectCommit(deps, api, input, input.headSha);
  if (head.text === undefined && tracked.kind === "none") return { kind: "no-config" };
  if (head.parsed && !head.parsed.ok) {
    await reportConfigProblems(deps, api, input, head.parsed.problems);
    return { kind: "config-error" };
  }
  const config = head.parsed?.ok
    ? splitTrust(head.parsed.config, tracked.kind === "valid" ? tracked.config : undefined)
    : undefined;
  const headStacks = config?.stacks ?? [];
  const inspection = head.inspection;
  if (head.text !== undefined && config) {
    const undeclared = undeclaredInputProblems(head.text, config, (dir) =>
      inspection.declaredVariables.get(dir),
    );
    if (undeclared.length > 0) {
      await reportConfigProblems(deps, api, input, undeclared);
      return { kind: "config-error" };
    }
  }
  const mergeBase = await inspectCommit(deps, api, input, comparison.mergeBaseSha);
  const base = mergeBase.parsed?.ok ? mergeBase.parsed.config : undefined;
  const baseFindings = base ? mergeBase.inspection.findings : [];
  const findings = preplanFindings(inspection.findings, baseFindings);

  const changedFiles: ChangedFile[] = comparison.truncated
    ? headStacks.map((stack) => ({
        filename: `${stack.dir}/(more than GitHub lists).tf`,
        status: "modified",
      }))
    : comparison.files;
  const watchedPaths = new Map(
    headStacks.map((stack) => [stack.name, inspection.watchedPaths.get(stack.dir) ?? [stack.dir]]),
  );
  let affected = affectedComponents({
    base,
    head: config ?? { environments: {}, stacks: [] },
    watchedPaths,
    changedFiles,
    match: deps.match,
  });

  const narrowed = narrow(affected, input, config, base);
  if ("refusal" in narrowed) return { kind: "refused", refusal: narrowed.refusal };
  affected = narrowed.affected;

  if (affected.length === 0) {
    await api.createCheckRun(
      input.headSha,
      "bosun",
      nothingAffectedCheck(deps.publicUrl),
      `pr-${input.number}`,
    );
    return { kind: "nothing-affected" };
  }

  const runIds: string[] = [];
  for (const environment of affected) {
    runIds.push(
      await openEnvironmentRun(
        deps,
        {
          repositoryId: input.repository.id,
          pullRequestNumber: input.number,
          commitSha: input.headSha,
          kind: "proposed",
          trigger: input.trigger,
          triggeredBy: input.triggeredBy,
          targets: input.targets,
        },
        environment,
        { head: config!, base, baseSha: comparison.mergeBaseSha, findings },
      ),
    );
  }
  log.info({ runIds, environments: affected.map((e) => e.environment) }, "proposed runs started");
  return { kind: "planned", runIds };
}

/**
 * A commit's bosun.yml and what its stacks are made of, from its archive. An archive refused as
 * hostile yields no file: the configuration is then read from GitHub, and the run that prepares
 * that archive fails naming the entry.
 */
async function inspectCommit(
  deps: PlanDeps,
  api: GithubRepoApi,
  input: PullRequestTrigger,
  sha: string,
) {
  const archive = await deps.fetchSource({
    installationId: input.installationId,
    repositoryFullName: input.repository.fullName,
    sha,
  });
  const inspection = await deps.inspectSource(archive, {
    configFile: CONFIG_FILE,
    stackDirs: (text) => {
      const parsed = text === undefined ? undefined : parseRepoConfig(text, CONFIG_FILE);
      return parsed?.ok ? parsed.config.stacks.map((stack) => stack.dir) : [];
    },
  });
  const text = inspection.refused ? await api.readFile(CONFIG_FILE, sha) : inspection.configText;
  return {
    text,
    parsed: text === undefined ? undefined : parseRepoConfig(text, CONFIG_FILE),
    inspection,
  };
}

type TrackedConfig =
  | { kind: "valid"; config: RepoConfig; branch: string }
  | { kind: "none"; branch: string }
  | { kind: "invalid"; branch: string };

/** The tracked branch's `bosun.yml`, which holds the rules a pull request cannot loosen. */
export async function loadTrackedConfig(
  api: GithubRepoApi,
  defaultBranch: string,
): Promise<TrackedConfig> {
  const read = async (branch: string): Promise<TrackedConfig> => {
    const text = await api.readFile(CONFIG_FILE, branch);
    if (text === undefined) return { kind: "none", branch };
    const parsed = parseRepoConfig(text, CONFIG_FILE);
    return parsed.ok
      ? { kind: "valid", config: parsed.config, branch }
      : { kind: "invalid", branch };
  };
  const first = await read(defaultBranch);
  const trackedBranch = first.kind === "valid" ? first.config.tracked_branch : undefined;
  return trackedBranch && trackedBranch !== defaultBranch ? read(trackedBranch) : first;
}

function narrow(
  affected: AffectedEnvironment[],
  input: PullRequestTrigger,
  head: RepoConfig | undefined,
  base: RepoConfig | undefined,
): { affected: AffectedEnvironment[] } | { refusal: Refusal } {
  const knownStacks = [
    ...new Set([...(head?.stacks ?? []), ...(base?.stacks ?? [])].map((stack) => stack.name)),
  ].sort();
  const knownEnvironments = Object.keys(head?.environments ?? {}).sort();
  if (input.environment && !knownEnvironments.includes(input.environment)) {
    return {
      refusal: {
        kind: "unknown-environment",
        names: [input.environment],
        known: knownEnvironments,
      },
    };
  }
  const unknown = (input.stacks ?? []).filter((stack) => !knownStacks.includes(stack));
  if (unknown.length > 0)
    return { refusal: { kind: "unknown-stack", names: unknown, known: knownStacks } };
  return {
    affected: affected
      .filter((environment) => !input.environment || environment.environment === input.environment)
      .map((environment) => ({
        ...environment,
        components: environment.components.filter(
          (component) => !input.stacks?.length || input.stacks.includes(component.stack),
        ),
      }))
      .filter((environment) => environment.components.length > 0),
  };
}

/** A one-off comment (fork refused, waiting for a writer): posted once per pull request. */
async function notice(
  deps: Pick<PlanDeps, "pullRequests">,
  api: GithubRepoApi,
  input: PullRequestTrigger,
  kind: string,
  body: string,
): Promise<void> {
  if (await deps.pullRequests.addNotice(input.repository.id, input.number, kind)) {
    await api.createComment(input.number, body);
  }
}

function renderAwaitingWriter(author: string): string {
  return [
    `Bosun has not planned this pull request: its author, @${author}, does not have write permission on the repository, and a plan runs the pull request's code.`,
    "",
    "Someone with write permission can review the change and comment `/plan` to plan it.",
  ].join("\n");
}

function renderTrackedInvalid(branch: string): string {
  return `Bosun cannot plan: the \`${CONFIG_FILE}\` on the tracked branch \`${branch}\` is invalid, and it holds the rules for who may apply. Fix it on \`${branch}\` first.`;
}

function nothingAffectedCheck(publicUrl: string) {
  return {
    status: "completed" as const,
    conclusion: "neutral" as const,
    title: "No stacks affected",
    summary: `This pull request changes no file that a stack in \`${CONFIG_FILE}\` watches, so there is nothing to plan.`,
    text: "",
    actions: [],
    detailsUrl: publicUrl,
    annotations: [],
  };
}
