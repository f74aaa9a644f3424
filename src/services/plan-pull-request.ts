import type { RepoConfig } from "../config/repo-config.js";
import { splitTrust } from "../config/split-trust.js";
import type { AffectedEnvironment } from "../domain/affected-components.js";
import type { Refusal } from "../render/command-reply.js";
import { renderRefusal } from "../render/command-reply.js";
import { canWrite, type GithubRepoApi } from "./github-port.js";
import { affectedByChange, inspectCommit, startRuns } from "./changeset-pipeline.js";
import { preplanFindings } from "./open-environment-run.js";
import { reportConfigProblems } from "./report-config-problems.js";
import type { PlanDeps } from "./plan-deps.js";
import { CONFIG_FILE, loadTrackedConfig } from "./tracked-config.js";

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
  const head = await inspectCommit(deps, api, input, input.headSha);
  if (head.text === undefined && tracked.kind === "none") return { kind: "no-config" };
  if (head.parsed && !head.parsed.ok) {
    await reportConfigProblems(deps, api, input, head.parsed.problems);
    return { kind: "config-error" };
  }
  const config = head.parsed?.ok
    ? splitTrust(head.parsed.config, tracked.kind === "valid" ? tracked.config : undefined)
    : undefined;
  const mergeBase = await inspectCommit(deps, api, input, comparison.mergeBaseSha);
  const base = mergeBase.parsed?.ok ? mergeBase.parsed.config : undefined;
  const found = await affectedByChange(deps, api, input, {
    head: config,
    headText: head.text,
    inspection: head.inspection,
    base,
    changedFiles: comparison.truncated ? "more-than-listed" : comparison.files,
  });
  if (found.kind === "config-error") return found;

  const narrowed = narrow(found.environments, input, config, base);
  if ("refusal" in narrowed) return { kind: "refused", refusal: narrowed.refusal };
  const affected = narrowed.affected;

  if (affected.length === 0) {
    await api.createCheckRun(
      input.headSha,
      "bosun",
      nothingAffectedCheck(deps.publicUrl),
      `pr-${input.number}`,
    );
    return { kind: "nothing-affected" };
  }

  const runIds = await startRuns(
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
    affected,
    {
      head: config!,
      base,
      baseSha: comparison.mergeBaseSha,
      findings: preplanFindings(
        head.inspection.findings,
        base ? mergeBase.inspection.findings : [],
      ),
    },
  );
  log.info({ runIds, environments: affected.map((e) => e.environment) }, "proposed runs started");
  return { kind: "planned", runIds };
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
