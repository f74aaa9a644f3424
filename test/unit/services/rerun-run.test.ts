import { describe, expect, it } from "vitest";
import { canRerun, rerunRun } from "../../../src/services/rerun-run.js";
import type {
  RunComponentEntry,
  RunDetail,
  RunPageStore,
} from "../../../src/services/run-page-port.js";
import { fakePorts } from "../../helpers/ports/plan-deps.js";

const REPOSITORY = { id: 42, fullName: "octo/infra", installationId: 1, defaultBranch: "main" };
const HEAD = "a".repeat(40);
const CONFIG = `version: 1
environments:
  dev:
    variables: { region: eu-west-1, size: 1 }
stacks:
  - name: network
    dir: infra/network
    environments: [dev]
`;

const component = (stack: string): RunComponentEntry => ({
  runComponentId: `rc-${stack}`,
  componentId: `c-${stack}`,
  stack,
  dir: `infra/${stack}`,
  changeKind: "update",
  phase: "FINISHED",
  wave: 0,
  held: false,
  waitingFor: [],
  planDigest: undefined,
  counts: undefined,
  planText: undefined,
  failureReason: undefined,
  applied: false,
  phases: [],
  states: [],
});

const run = (overrides: Partial<RunDetail> = {}): RunDetail => ({
  id: "run-0",
  repository: REPOSITORY,
  environment: "dev",
  kind: "plan",
  status: "SUCCEEDED",
  finished: true,
  commitSha: "b".repeat(40),
  pullRequestNumber: undefined,
  baseRef: undefined,
  trigger: "manual",
  triggeredBy: "octocat",
  machineUser: false,
  runtimeConfig: undefined,
  confirmedBy: undefined,
  confirmedAt: undefined,
  engineVersion: undefined,
  repeatsRunId: undefined,
  createdAt: new Date(0),
  counts: { add: 0, change: 0, destroy: 0 },
  components: [component("network")],
  ...overrides,
});

/** The run pages' store as a re-run reads it: the one run, and the links it records. */
function pagesWith(detail: RunDetail): RunPageStore & { links: [string[], string][] } {
  const links: [string[], string][] = [];
  const unused = () => Promise.reject(new Error("not read by a re-run"));
  return {
    links,
    run: async (runId) => (runId === detail.id ? detail : undefined),
    linkRepeats: async (runIds, repeatsRunId) => {
      links.push([[...runIds], repeatsRunId]);
    },
    repository: unused,
    repositoryByName: unused,
    stacks: unused,
    stack: unused,
    phaseLog: unused,
    runs: unused,
    component: unused,
  };
}

describe("canRerun: where the Re-run button shows", () => {
  it.each<{ case: string; run: Partial<RunDetail>; rerun: boolean }>([
    { case: "a pull request's run", run: { kind: "proposed", pullRequestNumber: 7 }, rerun: true },
    { case: "a triggered Plan & apply", run: { kind: "tracked" }, rerun: true },
    { case: "a triggered Plan only", run: { kind: "plan" }, rerun: true },
    { case: "a triggered Destroy", run: { kind: "destroy" }, rerun: true },
    { case: "a push's tracked run", run: { kind: "tracked", trigger: "push" }, rerun: false },
    { case: "a drift check", run: { kind: "drift", trigger: "schedule" }, rerun: false },
    {
      case: "a manual run of two stacks (no trigger makes one)",
      run: { components: [component("app"), component("network")] },
      rerun: false,
    },
  ])("$case → $rerun", ({ run: overrides, rerun }) => {
    expect(canRerun(run(overrides))).toBe(rerun);
  });
});

describe("rerunRun of a run triggered on a stack", () => {
  it("triggers the same kind, stack, environment and runtime config, linked to the run it repeats", async () => {
    const ports = fakePorts(REPOSITORY.fullName);
    ports.github.withFiles("main", { "bosun.yml": CONFIG });
    ports.github.branches.set("main", HEAD);
    ports.source.withCommit(HEAD, {
      files: { "bosun.yml": CONFIG },
      declaredVariables: { "infra/network": ["region", "size"] },
    });
    const runtimeConfig = { variables: { size: 3 }, env: { TF_LOG: "info" } };
    const pages = pagesWith(run({ runtimeConfig }));

    const outcome = await rerunRun({ ...ports.deps, pages }, { runId: "run-0", actor: "hubot" });

    expect(outcome).toEqual({ kind: "queued", runIds: ["run-1"] });
    expect(ports.changesets.opened[0]).toMatchObject({
      environment: "dev",
      pullRequestNumber: undefined,
      run: { kind: "plan", trigger: "manual", triggeredBy: "hubot", runtimeConfig },
      components: [{ spec: { stack: "network", variables: { size: 3 }, env: { TF_LOG: "info" } } }],
    });
    expect(pages.links).toEqual([[["run-1"], "run-0"]]);
  });

  it("refuses a push's tracked run, which a push repeats, and starts nothing", async () => {
    const ports = fakePorts(REPOSITORY.fullName);
    const pages = pagesWith(run({ kind: "tracked", trigger: "push" }));
    expect(await rerunRun({ ...ports.deps, pages }, { runId: "run-0", actor: "hubot" })).toEqual({
      kind: "refused",
      reason: "a tracked run is re-run by pushing again to the tracked branch",
    });
    expect(ports.changesets.opened).toEqual([]);
    expect(pages.links).toEqual([]);
  });

  it("passes on the trigger's refusal", async () => {
    const ports = fakePorts(REPOSITORY.fullName);
    ports.github.withFiles("main", { "bosun.yml": CONFIG });
    ports.github.branches.set("main", HEAD);
    ports.source.withCommit(HEAD, { files: { "bosun.yml": CONFIG } });
    const pages = pagesWith(run({ kind: "destroy" }));
    expect(await rerunRun({ ...ports.deps, pages }, { runId: "run-0", actor: "hubot" })).toEqual({
      kind: "refused",
      reason: "nothing of network@dev is deployed to destroy",
    });
  });
});
