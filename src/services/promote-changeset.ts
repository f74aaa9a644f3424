import { parseRepoConfig } from "../config/parse-repo-config.js";
import { pullRequestRef } from "../domain/git-ref.js";
import { splitTrust } from "../config/split-trust.js";
import { type RepoConfig } from "../config/repo-config.js";
import type { AffectedComponent } from "../domain/affected-components.js";
import {
  choosePromotionSource,
  PROMOTE_TRIGGER,
  REVERT_TRIGGER,
} from "../domain/changeset-origin.js";
import { HELP_TEXT } from "../domain/command-help.js";
import type { Refusal } from "../render/command-reply.js";
import type { HclFinding } from "../domain/hcl-finding.js";
import { canWrite, type GithubRepoApi } from "./github-port.js";
import { openEnvironmentRun } from "./open-environment-run.js";
import { CONFIG_FILE, loadTrackedConfig } from "./tracked-config.js";
import type { PlanDeps } from "./plan-deps.js";
import type { ChangesetCommand, OpenedOutcome } from "./revert-run.js";

/**
 * `/promote ENV`: copies the changes of the pull request's changeset that applied in another
 * environment (`promote_from` when ENV sets it, which must have applied that exact change) into a
 * new changeset for ENV, of the same commit, re-based on ENV's own deployed heads and rendered with
 * ENV's variables. A component ENV already runs is updated, one it does not yet is created; a
 * destroy or orphan is copied when ENV still has the component. The changeset belongs to the pull
 * request, planned and applied like any other; if ENV's head moves before the apply, the apply is
 * refused as stale.
 */
export async function promoteChangeset(
  deps: PlanDeps,
  api: GithubRepoApi,
  request: ChangesetCommand,
  environment: string,
): Promise<OpenedOutcome> {
  const refuse = (refusal: Refusal): OpenedOutcome => ({ kind: "refused", refusal });
  if (!canWrite(await api.permissionOf(request.actor))) {
    return refuse({
      kind: "no-permission",
      user: request.actor,
      needed: "write",
      command: "/promote",
    });
  }
  const pr = await api.pullRequest(request.number);
  // A pull request closed without merging was turned down: its change is not one to carry
  // further, whatever it applied before it was closed (docs/design.md "Lifecycle").
  if (pr.state !== "open" && !pr.merged) {
    return refuse({
      kind: "not-promotable",
      environment,
      reason:
        "this pull request was closed without being merged, so its change is not promoted; reopen it to promote it",
    });
  }
  const tracked = await loadTrackedConfig(api, request.repository.defaultBranch);
  if (tracked.kind === "invalid") {
    return refuse({
      kind: "not-promotable",
      environment,
      reason: `the ${CONFIG_FILE} on the tracked branch ${tracked.branch} is invalid, and it decides where changes may be promoted`,
    });
  }
  const atHead = await readConfig(api, pr.headSha);
  const known = Object.keys(atHead?.environments ?? {}).sort();
  if (!known.includes(environment)) {
    return refuse({
      kind: "bad-command",
      message: `\`${environment}\` is not an environment of ${CONFIG_FILE} (environments: ${known.map((name) => `\`${name}\``).join(", ") || "none"})`,
      help: HELP_TEXT,
    });
  }
  const trusted = tracked.kind === "valid" ? tracked.config : undefined;
  const promoteFrom =
    trusted && Object.hasOwn(trusted.environments, environment)
      ? trusted.environments[environment]?.promote_from
      : atHead?.environments[environment]?.promote_from;
  const candidates = (
    await deps.runViews.pullRequestRuns(request.repository.id, request.number)
  ).filter((run) => run.trigger !== REVERT_TRIGGER);
  const source = choosePromotionSource(
    candidates,
    environment,
    promoteFrom,
    pr.state === "open" ? pr.headSha : undefined,
  );
  if (source.kind !== "source") {
    return refuse({ kind: "not-promotable", environment, reason: source.reason });
  }

  const run = source.run;
  const headConfig = run.commitSha === pr.headSha ? atHead : await readConfig(api, run.commitSha);
  if (!headConfig) {
    return refuse({
      kind: "not-promotable",
      environment,
      reason: `${CONFIG_FILE} at ${run.commitSha.slice(0, 7)} is missing or invalid`,
    });
  }
  const config = splitTrust(headConfig, trusted);
  const removals = run.components.filter(
    (c) => c.changeKind === "destroy" || c.changeKind === "orphan",
  );
  const mergeBaseSha =
    removals.length > 0 ? (await api.compare(pr.baseSha, run.commitSha)).mergeBaseSha : undefined;
  const base = mergeBaseSha === undefined ? undefined : await readConfig(api, mergeBaseSha);

  const listsEnvironment = (from: RepoConfig | undefined, stack: string) =>
    from?.stacks.some((s) => s.name === stack && s.environments.includes(environment)) ?? false;
  const stacks = run.components.map((c) => c.stack);
  const ids = await deps.components.ensureComponents(
    request.repository.id,
    config.stacks
      .filter((stack) => stacks.includes(stack.name) && stack.environments.includes(environment))
      .map((stack) => ({
        stack: stack.name,
        environment,
        dir: stack.dir,
        engine: stack.engine,
        production: config.environments[environment]?.production ?? false,
      })),
  );
  const heads = await deps.components.deployedHeads([...ids.values()]);
  const components = run.components.flatMap((component): AffectedComponent[] => {
    if (component.changeKind === "create" || component.changeKind === "update") {
      if (!listsEnvironment(config, component.stack)) return [];
      const id = ids.get(`${component.stack}@${environment}`);
      const deployed = id !== undefined && (heads[id] ?? null) !== null;
      return [{ stack: component.stack, change: deployed ? "update" : "create" }];
    }
    return listsEnvironment(base, component.stack) && !listsEnvironment(config, component.stack)
      ? [{ stack: component.stack, change: component.changeKind }]
      : [];
  });
  if (components.length === 0) {
    return refuse({
      kind: "not-promotable",
      environment,
      reason: `none of the components changed in ${run.environment} (${stacks.join(", ")}) run in ${environment}`,
    });
  }
  const runId = await openEnvironmentRun(
    deps,
    {
      repositoryId: request.repository.id,
      pullRequestNumber: request.number,
      commitSha: run.commitSha,
      kind: "proposed",
      trigger: PROMOTE_TRIGGER,
      triggeredBy: request.actor,
      ref: pullRequestRef(request.number),
      ...(run.changesetId ? { replays: { promotedFromId: run.changesetId } } : {}),
    },
    { environment, components: components.sort((a, b) => (a.stack < b.stack ? -1 : 1)) },
    {
      head: config,
      base,
      // The target environment is judged by today's tracked branch, not by the source run's
      // spec: a promotion into an environment only the pull request declares gets no
      // stack-wide secrets, as a plan there would not.
      tracked: trusted,
      baseSha: mergeBaseSha ?? run.commitSha,
      findings: run.scanFindings as HclFinding[],
    },
  );
  return { kind: "opened", runIds: [runId] };
}

async function readConfig(api: GithubRepoApi, ref: string): Promise<RepoConfig | undefined> {
  const text = await api.readFile(CONFIG_FILE, ref);
  if (text === undefined) return undefined;
  const parsed = parseRepoConfig(text, CONFIG_FILE);
  return parsed.ok ? parsed.config : undefined;
}
