import { describe, expect, it } from "vitest";
import { summarisePlan } from "../../../src/domain/plan-summary.js";
import { concludeDriftCheck } from "../../../src/services/conclude-drift-check.js";
import type { DeployedComponent } from "../../../src/services/drift-port.js";
import { driftTick } from "../../../src/services/drift-tick.js";
import { reportRun } from "../../../src/services/reporter/index.js";
import type { RunComponentView } from "../../../src/services/run-view-port.js";
import { DRIFT_ACTOR } from "../../../src/services/start-drift-check.js";
import { componentIdOf } from "../../helpers/ports/component-store.js";
import { fakePorts, type FakePorts } from "../../helpers/ports/plan-deps.js";
import { runComponent, runView } from "../../helpers/ports/run-views.js";

const ENV = "env-prod";
const DEPLOYED = "d".repeat(40);
const HEAD = "e".repeat(40);
const at = (iso: string) => new Date(iso);

const tracked = (drift = "") => `version: 1
environments:
  prod:
    production: true
${drift}
stacks:
  - name: network
    dir: infra/network
    environments: [prod]
`;

const deployedNetwork: DeployedComponent = {
  componentId: componentIdOf("network", "prod"),
  stack: "network",
  revision: {
    commitSha: DEPLOYED,
    inputs: { variables: { region: "eu-west-1", name: "prod-core" } },
    spec: {
      stack: "network",
      environment: "prod",
      dir: "infra/network",
      engine: "opentofu",
      varFiles: ["env/${environment}.tfvars"],
      variables: { region: "eu-west-1" },
      state: undefined,
      autodeploy: true,
      targets: ["null_resource.vpc"],
    },
  },
  appliedAt: at("2026-01-01T00:00:00Z"),
};

function world(options: { schedule?: string; nextAt?: Date; reconcile?: boolean } = {}) {
  const ports = fakePorts();
  ports.github.withFiles("main", { "bosun.yml": tracked() });
  ports.drift.add({
    environmentId: ENV,
    environment: "prod",
    production: true,
    repositoryId: 42,
    schedule: "schedule" in options ? options.schedule : "0 */6 * * *",
    nextAt: options.nextAt,
    reconcile: options.reconcile ?? false,
    deployed: [deployedNetwork],
  });
  return ports;
}

const tick = (ports: FakePorts, now: string, defaultSchedule?: string) =>
  driftTick(ports.deps, { defaultSchedule, now: at(now) });

describe("driftTick", () => {
  it("gives an environment first seen its next time, and starts nothing", async () => {
    const ports = world();
    expect(await tick(ports, "2026-01-01T07:00:00Z")).toEqual({ started: [] });
    expect(ports.drift.environments.get(ENV)?.nextAt).toEqual(at("2026-01-01T12:00:00Z"));
    expect(ports.changesets.opened).toEqual([]);
  });

  it("starts a due check: a plan-only run of the deployed commit with its recorded inputs", async () => {
    const ports = world({ nextAt: at("2026-01-01T12:00:00Z") });
    expect(await tick(ports, "2026-01-01T12:00:30Z")).toEqual({ started: ["run-1"] });
    expect(ports.drift.environments.get(ENV)?.nextAt).toEqual(at("2026-01-01T18:00:00Z"));
    const [opened] = ports.changesets.opened;
    expect(opened).toMatchObject({
      pullRequestNumber: undefined,
      environment: "prod",
      run: {
        kind: "drift",
        commitSha: DEPLOYED,
        trigger: "schedule",
        triggeredBy: DRIFT_ACTOR,
      },
    });
    expect(opened?.components).toHaveLength(1);
    const spec = opened!.components[0]!.spec;
    expect(spec).toMatchObject({
      sourceSha: DEPLOYED,
      variables: { region: "eu-west-1", name: "prod-core" },
      autodeploy: false,
      policies: [],
      production: true,
      ref: "refs/heads/main",
    });
    expect(spec.targets).toBeUndefined();
    expect(opened?.components[0]?.phase).toBe("QUEUED");
    expect(ports.queue.sent.filter((job) => job.name === "run-component")).toHaveLength(1);
  });

  it("leaves a busy environment due for the next tick", async () => {
    const ports = world({ nextAt: at("2026-01-01T12:00:00Z") });
    ports.drift.environments.get(ENV)!.busy = true;
    expect(await tick(ports, "2026-01-01T12:00:30Z")).toEqual({ started: [] });
    expect(ports.drift.environments.get(ENV)?.nextAt).toEqual(at("2026-01-01T12:00:00Z"));
  });

  it("follows the server's default when the environment names none, and off when it says so", async () => {
    const ports = world({ schedule: undefined, nextAt: at("2026-01-01T12:00:00Z") });
    expect(await tick(ports, "2026-01-01T12:00:30Z")).toEqual({ started: [] });
    expect((await tick(ports, "2026-01-01T12:00:30Z", "@hourly")).started).toHaveLength(1);
    const off = world({ schedule: "off", nextAt: at("2026-01-01T12:00:00Z") });
    expect(await tick(off, "2026-01-01T12:00:30Z", "@hourly")).toEqual({ started: [] });
  });

  it("passes over a schedule it cannot read, and checks the other environments", async () => {
    const ports = world({ nextAt: at("2026-01-01T12:00:00Z") });
    ports.drift.add({
      environmentId: "env-broken",
      schedule: "every full moon",
      nextAt: at("2026-01-01T00:00:00Z"),
      deployed: [deployedNetwork],
    });
    expect(await tick(ports, "2026-01-01T12:00:30Z")).toEqual({ started: ["run-1"] });
    expect(ports.drift.environments.get("env-broken")?.nextAt).toEqual(at("2026-01-01T00:00:00Z"));
  });

  it("checks no stack the tracked branch no longer declares, and no repository without bosun.yml", async () => {
    const ports = world({ nextAt: at("2026-01-01T12:00:00Z") });
    ports.drift.environments.get(ENV)!.deployed = [{ ...deployedNetwork, stack: "orphaned" }];
    expect(await tick(ports, "2026-01-01T12:00:30Z")).toEqual({ started: [] });
    const bare = world({ nextAt: at("2026-01-01T12:00:00Z") });
    bare.github.files.clear();
    expect(await tick(bare, "2026-01-01T12:00:30Z")).toEqual({ started: [] });
    expect(bare.changesets.opened).toEqual([]);
  });
});

const CHECK = "check-1";
const NEXT_CHECK = "check-2";

/** A drift check's component: planned with a change to `null_resource.vpc`, or with none. */
function checked(runId: string, drifted: boolean): RunComponentView {
  return runComponent(runId, "network", "FINISHED", {
    spec: { environment: "prod", sourceSha: DEPLOYED },
    plan: {
      summary: summarisePlan({
        resource_changes: [
          {
            address: "null_resource.vpc",
            mode: "managed",
            type: "null_resource",
            change: { actions: [drifted ? "update" : "no-op"], before: {}, after: {} },
          },
        ],
      }),
      planText: "",
      diagnostics: [],
    },
  });
}

function withCheck(ports: FakePorts, runId: string, components: RunComponentView[]) {
  ports.runViews.add(
    runView(runId, components, {
      kind: "drift",
      environment: "prod",
      pullRequestNumber: undefined,
      changesetId: undefined,
      trigger: "schedule",
      triggeredBy: DRIFT_ACTOR,
      commitSha: DEPLOYED,
    }),
  );
  ports.drift.runEnvironment.set(runId, ENV);
}

describe("a drift check's end and its report", () => {
  it("opens one issue for drift found, tells it once, and closes it when a later check finds none", async () => {
    const ports = world();
    withCheck(ports, CHECK, [checked(CHECK, true)]);
    await concludeDriftCheck(ports.deps, CHECK, at("2026-01-01T12:03:00Z"));
    await reportRun(ports.deps, CHECK);
    await reportRun(ports.deps, CHECK);

    expect(ports.github.createdCheckRuns).toEqual([]);
    expect(ports.github.createdIssues).toHaveLength(1);
    const issue = ports.github.createdIssues[0]!;
    expect(issue.title).toBe("Drift detected in prod");
    expect(issue.body).toContain("| `network` | `ddddddd` | +0 ~1 -0 | `null_resource.vpc` |");
    expect(issue.body).toContain("Checked 2026-01-01 12:03 UTC");
    expect(issue.body).toContain(`(${ports.deps.runLink(CHECK)})`);
    expect(ports.drift.environments.get(ENV)).toMatchObject({
      drifted: true,
      runId: CHECK,
      issueNumber: issue.number,
    });

    withCheck(ports, NEXT_CHECK, [checked(NEXT_CHECK, false)]);
    await concludeDriftCheck(ports.deps, NEXT_CHECK, at("2026-01-01T18:02:00Z"));
    await reportRun(ports.deps, NEXT_CHECK);
    expect(ports.github.issueUpdates).toEqual([
      { issueNumber: issue.number, change: { state: "closed", stateReason: "completed" } },
    ]);
    expect(ports.github.comments).toEqual([
      expect.objectContaining({
        issueNumber: issue.number,
        body: expect.stringMatching(/found no drift in \*\*prod\*\*/),
      }),
    ]);
    expect(ports.drift.environments.get(ENV)).toMatchObject({
      drifted: false,
      issueNumber: undefined,
    });
    expect(ports.github.createdCheckRuns).toEqual([]);
  });

  it("updates the open issue in place at a later finding", async () => {
    const ports = world();
    ports.drift.environments.get(ENV)!.issueNumber = 17;
    withCheck(ports, CHECK, [checked(CHECK, true)]);
    await concludeDriftCheck(ports.deps, CHECK);
    await reportRun(ports.deps, CHECK);
    expect(ports.github.createdIssues).toEqual([]);
    expect(ports.github.issueUpdates).toEqual([
      {
        issueNumber: 17,
        change: expect.objectContaining({ title: "Drift detected in prod", state: "open" }),
      },
    ]);
  });

  it("says nothing while the check runs, and keeps the issue when a plan failed", async () => {
    const ports = world();
    ports.drift.environments.get(ENV)!.issueNumber = 17;
    withCheck(ports, CHECK, [
      runComponent(CHECK, "network", "PLANNING", { spec: { environment: "prod" } }),
    ]);
    await concludeDriftCheck(ports.deps, CHECK);
    await reportRun(ports.deps, CHECK);
    withCheck(ports, NEXT_CHECK, [
      runComponent(NEXT_CHECK, "network", "FAILED", { spec: { environment: "prod" } }),
    ]);
    await concludeDriftCheck(ports.deps, NEXT_CHECK);
    await reportRun(ports.deps, NEXT_CHECK);
    expect(ports.github.writes()).toBe(0);
    expect(ports.drift.environments.get(ENV)).toMatchObject({
      drifted: undefined,
      issueNumber: 17,
    });
  });

  it("opens a tracked run of the drifted stacks at the tracked branch's head with reconcile", async () => {
    const ports = world({ reconcile: true });
    const yml = tracked("    drift: { reconcile: true }");
    ports.github.withFiles("main", { "bosun.yml": yml });
    ports.github.branches.set("main", HEAD);
    ports.source.withCommit(HEAD, { files: { "bosun.yml": yml } });
    withCheck(ports, CHECK, [checked(CHECK, true)]);
    await concludeDriftCheck(ports.deps, CHECK);
    expect(ports.changesets.opened).toEqual([
      expect.objectContaining({
        run: expect.objectContaining({
          kind: "tracked",
          commitSha: HEAD,
          trigger: "drift",
          triggeredBy: DRIFT_ACTOR,
        }),
        components: [expect.objectContaining({ changeKind: "update" })],
      }),
    ]);
    // Concluding again (another component's job saw the end too) opens nothing more.
    await concludeDriftCheck(ports.deps, CHECK);
    expect(ports.changesets.opened).toHaveLength(1);
  });

  it("reconciles nothing a tracked run already holds, nor when the tracked branch stopped asking", async () => {
    const ports = world({ reconcile: true });
    const yml = tracked("    drift: { reconcile: true }");
    ports.github.withFiles("main", { "bosun.yml": yml });
    ports.github.branches.set("main", HEAD);
    ports.source.withCommit(HEAD, { files: { "bosun.yml": yml } });
    ports.components.heldByTrackedRuns.add(componentIdOf("network", "prod"));
    withCheck(ports, CHECK, [checked(CHECK, true)]);
    await concludeDriftCheck(ports.deps, CHECK);

    const stopped = world({ reconcile: true });
    withCheck(stopped, CHECK, [checked(CHECK, true)]);
    await concludeDriftCheck(stopped.deps, CHECK);
    expect([...ports.changesets.opened, ...stopped.changesets.opened]).toEqual([]);
  });
});
