import { describe, expect, it } from "vitest";
import type { ComponentPhase } from "../../../src/domain/component-phase.js";
import { staleWaveReason } from "../../../src/domain/dependency-waves.js";
import { advanceRun, AUTODEPLOY_ACTOR } from "../../../src/services/advance-run.js";
import type { RunComponentView, RunView } from "../../../src/services/run-view-port.js";
import { componentIdOf } from "../../helpers/ports/component-store.js";
import { fakePorts, type FakePorts } from "../../helpers/ports/plan-deps.js";
import { runComponent, runView } from "../../helpers/ports/run-views.js";

const TRACKED_CONFIG = `version: 1
environments:
  dev: {}
stacks:
  - name: network
    dir: infra/network
    environments: [dev]
    autodeploy: true
`;

const RUN = "run-1";
const network = componentIdOf("network", "dev");
const app = componentIdOf("app", "dev");

/** `stack` waits in the run for `upstreams` (spec.waitsFor), as a DEFERRED later wave does. */
function waiting(
  stack: string,
  phase: ComponentPhase,
  upstreams: string[],
  overrides: Partial<RunComponentView> = {},
): RunComponentView {
  return runComponent(RUN, stack, phase, {
    wave: 1,
    spec: {
      waitsFor: upstreams.map((upstream) => ({
        stack: upstream,
        componentId: componentIdOf(upstream, "dev"),
      })),
    },
    ...overrides,
  });
}

function withRun(components: RunComponentView[], overrides: Partial<RunView> = {}): FakePorts {
  const ports = fakePorts();
  ports.github.withFiles("main", { "bosun.yml": TRACKED_CONFIG });
  ports.runViews.add(runView(RUN, components, overrides));
  return ports;
}

const phasesOf = (ports: FakePorts) =>
  Object.fromEntries(ports.runViews.stored(RUN)!.components.map((c) => [c.stack, c.phase]));

const jobsOf = (ports: FakePorts) =>
  ports.queue.sent
    .filter((job) => job.name === "run-component")
    .map((job) => ({ key: job.options?.singletonKey, data: job.data }));

describe("advanceRun: a run's later waves", () => {
  it.each<{
    case: string;
    components: RunComponentView[];
    confirmedBy?: string;
    /** Deployed heads that moved since the changeset was based on them. */
    moved?: string[];
    phases: Record<string, ComponentPhase>;
    released: { stack: string; to: string; cause: string }[];
    planned: string[];
  }>([
    {
      case: "upstream planned no changes, before the approval: the next wave plans at once",
      components: [
        runComponent(RUN, "network", "FINISHED"),
        waiting("app", "DEFERRED", ["network"]),
      ],
      phases: { network: "FINISHED", app: "QUEUED" },
      released: [{ stack: "app", to: "QUEUED", cause: "upstreams have no changes" }],
      planned: ["app"],
    },
    {
      case: "upstream applied, before the approval: the next wave waits for it",
      components: [
        runComponent(RUN, "network", "FINISHED", { applied: true }),
        waiting("app", "DEFERRED", ["network"]),
      ],
      phases: { network: "FINISHED", app: "DEFERRED" },
      released: [],
      planned: [],
    },
    {
      case: "upstream applied in a confirmed run: the next wave plans with its fresh outputs",
      confirmedBy: "writer",
      components: [
        runComponent(RUN, "network", "FINISHED", { applied: true }),
        waiting("app", "DEFERRED", ["network"]),
      ],
      phases: { network: "FINISHED", app: "QUEUED" },
      released: [{ stack: "app", to: "QUEUED", cause: "upstream outputs are ready" }],
      planned: ["app"],
    },
    {
      case: "upstream still waiting for approval: nothing moves",
      components: [
        runComponent(RUN, "network", "UNCONFIRMED"),
        waiting("app", "DEFERRED", ["network"]),
      ],
      phases: { network: "UNCONFIRMED", app: "DEFERRED" },
      released: [],
      planned: [],
    },
    ...(["FAILED", "BLOCKED", "DISCARDED"] as const).map((broken) => ({
      case: `upstream ${broken}: the next wave is blocked`,
      components: [runComponent(RUN, "network", broken), waiting("app", "DEFERRED", ["network"])],
      phases: { network: broken, app: "BLOCKED" as const },
      released: [
        { stack: "app", to: "BLOCKED", cause: "blocked: upstream network@dev did not apply" },
      ],
      planned: [],
    })),
    {
      case: "a failure blocks the whole chain below it in one pass",
      components: [
        runComponent(RUN, "network", "FAILED"),
        waiting("app", "DEFERRED", ["network"]),
        waiting("web", "DEFERRED", ["app"], { wave: 2 }),
      ],
      phases: { network: "FAILED", app: "BLOCKED", web: "BLOCKED" },
      released: [
        { stack: "app", to: "BLOCKED", cause: "blocked: upstream network@dev did not apply" },
        { stack: "web", to: "BLOCKED", cause: "blocked: upstream app@dev did not apply" },
      ],
      planned: [],
    },
    {
      case: "the next wave's deployed head moved since the changeset: refused as stale",
      moved: [app],
      components: [
        runComponent(RUN, "network", "FINISHED"),
        waiting("app", "DEFERRED", ["network"]),
      ],
      phases: { network: "FINISHED", app: "FAILED" },
      released: [{ stack: "app", to: "FAILED", cause: staleWaveReason("app@dev") }],
      planned: [],
    },
    {
      case: "a component waiting for two upstreams moves only once both are done",
      components: [
        runComponent(RUN, "network", "FINISHED"),
        runComponent(RUN, "app", "PLANNING"),
        waiting("web", "DEFERRED", ["network", "app"]),
      ],
      phases: { network: "FINISHED", app: "PLANNING", web: "DEFERRED" },
      released: [],
      planned: [],
    },
  ])("$case", async (row) => {
    const ports = withRun(row.components, { confirmedBy: row.confirmedBy });
    for (const componentId of row.moved ?? []) ports.components.heads.set(componentId, "rev-9");

    const toReport = await advanceRun(ports.deps, `${RUN}/network`);

    expect(phasesOf(ports)).toEqual(row.phases);
    expect(
      ports.runTransitions.requested.flatMap((request) =>
        request.kind === "release-deferred"
          ? [
              {
                stack: request.runComponentId.slice(`${RUN}/`.length),
                to: request.to,
                cause: request.cause,
              },
            ]
          : [],
      ),
    ).toEqual(row.released);
    expect(jobsOf(ports)).toEqual(
      row.planned.map((stack) => ({
        key: componentIdOf(stack, "dev"),
        data: { runComponentId: `${RUN}/${stack}`, action: "plan" },
      })),
    );
    expect(toReport).toEqual([RUN]);
  });

  it.each<{ case: string; policyFindings: boolean; stale: boolean; applied: string[] }>([
    {
      case: "planned with changes, no policy objecting",
      policyFindings: false,
      stale: false,
      applied: ["app"],
    },
    { case: "a policy warned about its plan", policyFindings: true, stale: false, applied: [] },
    { case: "its deployed head moved", policyFindings: false, stale: true, applied: [] },
  ])(
    "a confirmed run's next wave, $case, is applied without a second approval only when clean",
    async (row) => {
      const ports = withRun(
        [
          runComponent(RUN, "network", "FINISHED", { applied: true }),
          waiting("app", "UNCONFIRMED", ["network"], {
            plan: {
              ...runComponent(RUN, "app", "UNCONFIRMED").plan!,
              policyFindings: row.policyFindings
                ? [{ policy: "no-deletes", level: "warn", message: "deletes a bucket" }]
                : [],
            },
          }),
        ],
        { confirmedBy: "writer" },
      );
      if (row.stale) ports.components.heads.set(app, "rev-9");

      await advanceRun(ports.deps, `${RUN}/network`);

      const asked = ports.runTransitions.requested.filter((r) => r.kind === "confirm-wave");
      expect(asked).toEqual(
        row.policyFindings
          ? []
          : [
              {
                kind: "confirm-wave",
                runId: RUN,
                runComponentIds: [`${RUN}/app`],
                actor: "writer",
                cause: "next wave of a confirmed run",
              },
            ],
      );
      expect(phasesOf(ports).app).toBe(
        row.stale ? "FAILED" : row.applied.length ? "CONFIRMED" : "UNCONFIRMED",
      );
      expect(jobsOf(ports)).toEqual(
        row.applied.map((stack) => ({
          key: componentIdOf(stack, "dev"),
          data: { runComponentId: `${RUN}/${stack}`, action: "apply" },
        })),
      );
    },
  );
});

describe("advanceRun: autodeploy of a tracked run", () => {
  const trackedRun: Partial<RunView> = {
    kind: "tracked",
    pullRequestNumber: undefined,
    changesetId: undefined,
  };

  it.each<{
    case: string;
    run?: Partial<RunView>;
    components?: RunComponentView[];
    trackedConfig?: string;
    deployed: boolean;
  }>([
    { case: "its plan is done, autodeploy on, no policy objecting", deployed: true },
    { case: "a proposed run (a pull request's plan)", run: { kind: "proposed" }, deployed: false },
    {
      case: "the stack does not autodeploy",
      components: [runComponent(RUN, "network", "UNCONFIRMED", { spec: { autodeploy: false } })],
      deployed: false,
    },
    {
      case: "a policy warned about the plan",
      components: [
        runComponent(RUN, "network", "UNCONFIRMED", {
          spec: { autodeploy: true },
          plan: {
            ...runComponent(RUN, "network", "UNCONFIRMED").plan!,
            policyFindings: [{ policy: "no-deletes", level: "warn", message: "deletes a bucket" }],
          },
        }),
      ],
      deployed: false,
    },
    {
      case: "a custom step set to warn failed after the plan",
      components: [
        runComponent(RUN, "network", "UNCONFIRMED", {
          spec: { autodeploy: true },
          plan: {
            ...runComponent(RUN, "network", "UNCONFIRMED").plan!,
            stepWarnings: [
              { step: "cost", hook: "after_plan", message: "step cost (after_plan) exited with 1" },
            ],
          },
        }),
      ],
      deployed: false,
    },
    {
      case: "another component of the run is still planning",
      components: [
        runComponent(RUN, "network", "UNCONFIRMED", { spec: { autodeploy: true } }),
        runComponent(RUN, "app", "PLANNING", { spec: { autodeploy: true } }),
      ],
      deployed: false,
    },
    {
      case: "the tracked branch's bosun.yml no longer parses",
      trackedConfig: "version: 1\nstacks: nope\n",
      deployed: false,
    },
    {
      case: "the repository's default branch is not known",
      run: { defaultBranch: undefined },
      deployed: false,
    },
  ])("$case → deployed: $deployed", async (row) => {
    const ports = withRun(
      row.components ?? [
        runComponent(RUN, "network", "UNCONFIRMED", { spec: { autodeploy: true } }),
      ],
      { ...trackedRun, ...row.run },
    );
    if (row.trackedConfig) ports.github.withFiles("main", { "bosun.yml": row.trackedConfig });

    await advanceRun(ports.deps, `${RUN}/network`);

    const confirms = ports.runTransitions.requested.filter((r) => r.kind === "confirm");
    if (!row.deployed) {
      expect(confirms).toEqual([]);
      expect(phasesOf(ports).network).toBe("UNCONFIRMED");
      expect(ports.github.deployments).toEqual([]);
      expect(jobsOf(ports)).toEqual([]);
      return;
    }
    expect(confirms).toEqual([
      {
        kind: "confirm",
        runId: RUN,
        runComponentIds: [`${RUN}/network`],
        actor: AUTODEPLOY_ACTOR,
        cause: "autodeploy: no policy warned or denied",
      },
    ]);
    expect(ports.github.deployments.map((d) => d.input.payload)).toEqual([
      { runId: RUN, components: ["network"] },
    ]);
    expect(jobsOf(ports)).toEqual([
      { key: network, data: { runComponentId: `${RUN}/network`, action: "apply" } },
    ]);
    expect(ports.queue.dataOf("report-run")).toEqual([{ runId: RUN }]);
  });
});

describe("advanceRun: what a component's end starts elsewhere", () => {
  it("a terminal component releases the next tracked run held behind it, whose plan is queued", async () => {
    const ports = withRun([runComponent(RUN, "network", "FINISHED")], {
      kind: "tracked",
      pullRequestNumber: undefined,
    });
    ports.runTransitions.heldQueue.set(network, [
      { runComponentId: "run-2/network", runId: "run-2" },
    ]);

    const toReport = await advanceRun(ports.deps, `${RUN}/network`);

    expect(jobsOf(ports)).toEqual([
      { key: network, data: { runComponentId: "run-2/network", action: "plan" } },
    ]);
    expect(toReport).toEqual([RUN, "run-2"]);
  });

  it("a component still moving releases nothing", async () => {
    const ports = withRun([runComponent(RUN, "network", "APPLYING")]);
    ports.runTransitions.heldQueue.set(network, [
      { runComponentId: "run-2/network", runId: "run-2" },
    ]);
    await advanceRun(ports.deps, `${RUN}/network`);
    expect(ports.runTransitions.requested).toEqual([]);
    expect(ports.revokedRuns).toEqual([]);
  });

  it("a new deployed head refreshes the reports of other runs waiting on the component", async () => {
    const ports = withRun([runComponent(RUN, "network", "FINISHED", { applied: true })]);
    ports.runViews.add(
      runView("run-0", [runComponent("run-0", "network", "UNCONFIRMED")], {
        changesetId: "changeset:other",
        pullRequestNumber: 8,
      }),
    );
    expect(await advanceRun(ports.deps, `${RUN}/network`)).toEqual([RUN, "run-0"]);
  });

  it.each<{ phases: ComponentPhase[]; revoked: boolean }>([
    { phases: ["FINISHED", "FAILED"], revoked: true },
    { phases: ["FINISHED", "APPLYING"], revoked: false },
  ])("state credentials are revoked once every component is terminal: $phases", async (row) => {
    const ports = withRun([
      runComponent(RUN, "network", row.phases[0]!),
      runComponent(RUN, "web", row.phases[1]!),
    ]);
    await advanceRun(ports.deps, `${RUN}/network`);
    expect(ports.revokedRuns).toEqual(row.revoked ? [RUN] : []);
  });

  it("a component no run holds advances nothing", async () => {
    const ports = withRun([runComponent(RUN, "network", "FINISHED")]);
    expect(await advanceRun(ports.deps, "run-404/network")).toEqual([]);
    expect(ports.runTransitions.requested).toEqual([]);
    expect(ports.queue.sent).toEqual([]);
  });
});
