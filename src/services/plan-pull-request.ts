import type { RepoConfig } from "../config/repo-config.js";
import { pullRequestRef } from "../domain/git-ref.js";
import { splitTrust, stacksWithPendingSteps } from "../config/split-trust.js";
import type { AffectedEnvironment } from "../domain/affected-components.js";
import type { Refusal } from "../render/command-reply.js";
import { renderRefusal } from "../render/command-reply.js";
import { canWrite } from "./github-port.js";
import { affectedByChange, inspectCommit, startRuns } from "./changeset-pipeline.js";
import { preplanFindings } from "./open-environment-run.js";
import { postNotice, reportConfigProblems, reportNothingAffected } from "./reporter/index.js";
import { renderAwaitingWriter, renderTrackedInvalid } from "../render/plan-notices.js";
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
  /** The run a Re-run repeats: the new runs link to it. */
  repeatsRunId?: string;
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

  const pullRequest = { repositoryId: input.repository.id, number: input.number };
  const tracked = await loadTrackedConfig(api, input.repository.defaultBranch);
  if (tracked.kind === "invalid") {
    await postNotice(
      deps,
      api,
      pullRequest,
      "tracked-config-invalid",
      renderTrackedInvalid(CONFIG_FILE, tracked.branch),
    );
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
    await postNotice(
      deps,
      api,
      pullRequest,
      "fork-not-allowed",
      renderRefusal({ kind: "fork-not-allowed" }),
    );
    return { kind: "fork-refused" };
  }
  if (input.trigger === "pull_request" && !canWrite(await api.permissionOf(input.author))) {
    await postNotice(deps, api, pullRequest, "awaiting-writer", renderAwaitingWriter(input.author));
    return { kind: "awaiting-writer" };
  }

  const comparison = await api.compare(input.baseSha, input.headSha);
  const head = await inspectCommit(deps, api, input, input.headSha);
  if (head.text === undefined && tracked.kind === "none") return { kind: "no-config" };
  if (head.parsed && !head.parsed.ok) {
    await reportConfigProblems(deps, api, input, head.parsed.problems);
    return { kind: "config-error" };
  }
  const trackedConfig = tracked.kind === "valid" ? tracked.config : undefined;
  const config = head.parsed?.ok ? splitTrust(head.parsed.config, trackedConfig) : undefined;
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
    await reportNothingAffected(api, input, deps.publicUrl, CONFIG_FILE);
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
      ref: pullRequestRef(input.number),
      targets: input.targets,
      repeatsRunId: input.repeatsRunId,
    },
    affected,
    {
      head: config!,
      base,
      tracked: trackedConfig,
      pendingSteps: head.parsed?.ok
        ? stacksWithPendingSteps(head.parsed.config, trackedConfig)
        : [],
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
