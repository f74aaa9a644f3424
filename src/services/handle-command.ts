import { assertNever } from "../lib/assert-never.js";
import { pullRequestRef } from "../domain/git-ref.js";
import type { Command } from "../domain/command.js";
import { HELP_TEXT } from "../domain/command-help.js";
import { parseCommand } from "../domain/parse-command.js";
import { renderHelp, targetsNotInPlan, type Refusal } from "../render/command-reply.js";
import { confirmPullRequest } from "./apply-pull-request.js";
import {
  canWrite,
  type GithubRepoApi,
  type GithubRepoReader,
  type GithubRepoWriter,
  type Reaction,
} from "./github-port.js";
import { openEnvironmentRun } from "./open-environment-run.js";
import { promoteChangeset } from "./promote-changeset.js";
import { type OpenedOutcome, revertRun } from "./revert-run.js";
import { planPullRequest, type PlanOutcome } from "./plan-pull-request.js";
import { loadTrackedConfig } from "./tracked-config.js";
import type { PlanDeps } from "./plan-deps.js";
import {
  acknowledgeCommand,
  reactToCommand,
  replyToCommand,
  replyWithRefusal,
} from "./reporter/index.js";
import { selectRuns } from "./select-runs.js";
import { discardPullRequestRuns } from "./discard-pull-request-runs.js";

export interface CommentInput {
  installationId: number;
  repository: { id: number; fullName: string; defaultBranch: string };
  number: number;
  commentId: number;
  body: string;
  actor: string;
  /** When the comment was written (GitHub's `created_at`). */
  createdAt: string;
}

export type CommandOutcome = "ignored" | "done" | "refused";

/**
 * A comment on a pull request: the first line may be a command. It is acknowledged with a
 * reaction at once, then answered with a reaction for success or a reply saying what was wrong.
 */
export async function handlePullRequestComment(
  deps: PlanDeps,
  input: CommentInput,
): Promise<CommandOutcome> {
  const parsed = parseCommand(input.body);
  if (parsed.kind === "ignore") return "ignored";
  const api = await deps.github(input.installationId, input.repository.fullName);
  await acknowledgeCommand(api, input.commentId);
  if (parsed.kind === "error") {
    return refused(api, input, { kind: "bad-command", message: parsed.message, help: HELP_TEXT });
  }
  const result = await run(deps, api, input, parsed.command);
  if (result.kind === "refused") return refused(api, input, result.refusal);
  if (result.kind === "reply") {
    await replyToCommand(api, input.number, result.body);
    return "done";
  }
  await reactToCommand(api, input.commentId, result.reaction);
  return "done";
}

type CommandResult =
  | { kind: "ok"; reaction: Reaction }
  | { kind: "reply"; body: string }
  | { kind: "refused"; refusal: Refusal };

async function run(
  deps: PlanDeps,
  api: GithubRepoApi,
  input: CommentInput,
  command: Command,
): Promise<CommandResult> {
  switch (command.kind) {
    case "help":
      return { kind: "reply", body: renderHelp(HELP_TEXT) };
    case "plan":
      return plan(deps, api, input, { stacks: command.stacks, environment: command.environment });
    case "replan":
      return replan(deps, api, input, command.targets, command.environment);
    case "apply": {
      const outcome = await confirmPullRequest(deps, {
        ...input,
        via: "comment",
        stacks: command.stacks,
        environment: command.environment,
      });
      return outcome.kind === "applying" ? { kind: "ok", reaction: "rocket" } : outcome;
    }
    case "discard":
      return discard(deps, api, input, command.environment);
    case "destroy":
      return destroy(deps, api, input, command.stack, command.environment);
    case "promote":
      return opened(await promoteChangeset(deps, api, input, command.environment));
    case "revert":
      return opened(await revertRun(deps, api, input, command.run));
    default:
      return assertNever(command, "command");
  }
}

function opened(outcome: OpenedOutcome): CommandResult {
  return outcome.kind === "opened" ? { kind: "ok", reaction: "+1" } : outcome;
}

/**
 * `/plan`: anyone may re-plan a pull request that Bosun plans on its own; only a writer may start
 * one that it does not (an author without write permission, a fork), since a plan runs its code.
 */
async function plan(
  deps: PlanDeps,
  api: GithubRepoReader,
  input: CommentInput,
  narrowing: {
    stacks: readonly string[];
    environment: string | undefined;
    targets?: readonly string[];
  },
): Promise<CommandResult> {
  const pr = await api.pullRequest(input.number);
  if (pr.state !== "open") return { kind: "refused", refusal: { kind: "nothing-to-apply" } };
  const writer = canWrite(await api.permissionOf(input.actor));
  const vouched = pr.fork || !canWrite(await api.permissionOf(pr.author));
  if (!writer && vouched) {
    return {
      kind: "refused",
      refusal: { kind: "no-permission", user: input.actor, needed: "write", command: "/plan" },
    };
  }
  // A writer's /plan of code only a writer may start vouches for the head they saw (docs/design.md
  // "Trust"): a push after the comment was written is not planned on its authority.
  if (vouched && (await headMovedSince(deps, input, pr.headSha))) {
    return { kind: "refused", refusal: { kind: "head-moved-since-comment", headSha: pr.headSha } };
  }
  const outcome: PlanOutcome = await planPullRequest(deps, {
    installationId: input.installationId,
    repository: input.repository,
    number: input.number,
    headSha: pr.headSha,
    baseSha: pr.baseSha,
    baseRef: pr.baseRef,
    author: pr.author,
    fork: pr.fork,
    trigger: "comment",
    triggeredBy: input.actor,
    ...(narrowing.stacks.length ? { stacks: narrowing.stacks } : {}),
    ...(narrowing.environment ? { environment: narrowing.environment } : {}),
    ...(narrowing.targets?.length ? { targets: narrowing.targets } : {}),
  });
  if (outcome.kind === "refused") return outcome;
  return { kind: "ok", reaction: "+1" };
}

/**
 * Whether the pull request's head may have moved after the comment was written: GitHub's head is
 * not the one Bosun last recorded (a push it has not handled yet), or Bosun recorded a head after
 * the comment's time.
 */
async function headMovedSince(
  deps: Pick<PlanDeps, "pullRequests">,
  input: CommentInput,
  liveHead: string,
): Promise<boolean> {
  const recorded = await deps.pullRequests.pullRequest(input.repository.id, input.number);
  if (!recorded) return true;
  return (
    recorded.headSha !== liveHead || recorded.updatedAt.getTime() > Date.parse(input.createdAt)
  );
}

/** `/replan -target=…`: a targeted plan, for addresses that exist in the current plan only. */
async function replan(
  deps: PlanDeps,
  api: GithubRepoReader,
  input: CommentInput,
  targets: readonly string[],
  environment: string | undefined,
): Promise<CommandResult> {
  const selected = await selectRuns(deps, { ...input, environment });
  if ("refusal" in selected) return { kind: "refused", refusal: selected.refusal };
  const addresses = new Set(
    selected.runs.flatMap((run) =>
      run.components.flatMap(
        (component) => component.plan?.summary.resources.map((resource) => resource.address) ?? [],
      ),
    ),
  );
  const unknown = targets.filter(
    (target) => !addresses.has(target) && !isModuleOf(target, addresses),
  );
  if (unknown.length > 0) {
    return {
      kind: "refused",
      refusal: {
        kind: "bad-command",
        message: targetsNotInPlan(unknown),
        help: HELP_TEXT,
      },
    };
  }
  const stacks = selected.runs.flatMap((run) =>
    run.components
      .filter((component) =>
        component.plan?.summary.resources.some((resource) =>
          targets.some(
            (t) =>
              resource.address === t ||
              resource.address.startsWith(`${t}.`) ||
              resource.address.startsWith(`${t}[`),
          ),
        ),
      )
      .map((component) => component.stack),
  );
  return plan(deps, api, input, { stacks: [...new Set(stacks)], environment, targets });
}

function isModuleOf(target: string, addresses: ReadonlySet<string>): boolean {
  return [...addresses].some(
    (address) => address.startsWith(`${target}.`) || address.startsWith(`${target}[`),
  );
}

/**
 * `/destroy STACK -e ENV`: a destroy plan of what is deployed, made with the configuration it was
 * deployed from, reviewed and confirmed like any plan (`/apply`, with the same requirements).
 */
async function destroy(
  deps: PlanDeps,
  api: GithubRepoApi,
  input: CommentInput,
  stackName: string,
  environment: string,
): Promise<CommandResult> {
  if (!canWrite(await api.permissionOf(input.actor))) {
    return {
      kind: "refused",
      refusal: { kind: "no-permission", user: input.actor, needed: "write", command: "/destroy" },
    };
  }
  const tracked = await loadTrackedConfig(api, input.repository.defaultBranch);
  const config = tracked.kind === "valid" ? tracked.config : undefined;
  const stack = config?.stacks.find((candidate) => candidate.name === stackName);
  if (!config || !stack) {
    const known = (config?.stacks ?? []).map((candidate) => candidate.name).sort();
    return { kind: "refused", refusal: { kind: "unknown-stack", names: [stackName], known } };
  }
  if (!stack.environments.includes(environment)) {
    return {
      kind: "refused",
      refusal: {
        kind: "unknown-environment",
        names: [environment],
        known: [...stack.environments],
      },
    };
  }
  const ids = await deps.components.ensureComponents(input.repository.id, [
    {
      stack: stack.name,
      environment,
      dir: stack.dir,
      engine: stack.engine,
      production: config.environments[environment]?.production ?? false,
    },
  ]);
  const deployedFrom = await deps.components.deployedCommit(
    ids.get(`${stack.name}@${environment}`)!,
  );
  if (!deployedFrom) return { kind: "refused", refusal: { kind: "nothing-to-apply" } };
  const pr = await api.pullRequest(input.number);
  await openEnvironmentRun(
    deps,
    {
      repositoryId: input.repository.id,
      pullRequestNumber: input.number,
      commitSha: pr.headSha,
      kind: "destroy",
      trigger: "comment",
      triggeredBy: input.actor,
      ref: pullRequestRef(input.number),
    },
    { environment, components: [{ stack: stack.name, change: "destroy" }] },
    { head: config, base: config, tracked: config, baseSha: deployedFrom, findings: [] },
  );
  return { kind: "ok", reaction: "+1" };
}

async function discard(
  deps: PlanDeps,
  api: GithubRepoReader,
  input: CommentInput,
  environment: string | undefined,
): Promise<CommandResult> {
  if (!canWrite(await api.permissionOf(input.actor))) {
    return {
      kind: "refused",
      refusal: { kind: "no-permission", user: input.actor, needed: "write", command: "/discard" },
    };
  }
  const discarded = await discardPullRequestRuns(
    deps,
    { ...input, environment },
    input.actor,
    "discarded by /discard",
  );
  if ("refusal" in discarded) return { kind: "refused", refusal: discarded.refusal };
  return discarded.count > 0
    ? { kind: "ok", reaction: "+1" }
    : { kind: "refused", refusal: { kind: "nothing-to-apply" } };
}

async function refused(
  api: GithubRepoWriter,
  input: CommentInput,
  refusal: Refusal,
): Promise<CommandOutcome> {
  await replyWithRefusal(api, input, refusal);
  return "refused";
}
