import { describe, expect, it } from "vitest";
import type { RunKind } from "../../../src/domain/run-kind.js";
import { canRerun, rerunRun } from "../../../src/services/rerun-run.js";
import { fakePorts } from "../../helpers/ports/plan-deps.js";
import { runComponent, runView } from "../../helpers/ports/run-views.js";

const RUN = "11111111-1111-4111-8111-111111111111";
const COMMIT = "c".repeat(40);
const DEPLOYED = "d".repeat(40);

describe("rerunRun: a run that is not a pull request's plan is repeated as itself", () => {
  it.each<{ kind: RunKind; trigger: string; pullRequestNumber: number | undefined }>([
    { kind: "tracked", trigger: "push", pullRequestNumber: undefined },
    { kind: "tracked", trigger: "manual", pullRequestNumber: undefined },
    { kind: "plan", trigger: "manual", pullRequestNumber: undefined },
    { kind: "destroy", trigger: "comment", pullRequestNumber: 7 },
    { kind: "drift", trigger: "schedule", pullRequestNumber: undefined },
    { kind: "proposed", trigger: "revert", pullRequestNumber: 7 },
    { kind: "proposed", trigger: "promote", pullRequestNumber: 7 },
  ])("$kind ($trigger)", async ({ kind, trigger, pullRequestNumber }) => {
    const ports = fakePorts();
    const runtimeConfig = { variables: { size: 3 }, skip_apply: true };
    ports.runViews.add(
      runView(
        RUN,
        [
          runComponent(RUN, "network", "FINISHED", {
            changeKind: kind === "destroy" ? "destroy" : "update",
            spec: {
              variables: { size: 3 },
              skipApplying: true,
              sourceSha: DEPLOYED,
              ref: "refs/heads/main",
              waitsFor: [{ stack: "app", componentId: "gone" }],
            },
          }),
          runComponent(RUN, "old", "FINISHED", { changeKind: "orphan" }),
        ],
        { kind, trigger, pullRequestNumber, commitSha: COMMIT, runtimeConfig },
      ),
    );
    const outcome = await rerunRun(ports.deps, { runId: RUN, actor: "octocat" });
    expect(outcome).toMatchObject({ kind: "queued", runIds: [expect.any(String)] });
    const [opened] = ports.changesets.opened;
    expect(opened).toMatchObject({
      pullRequestNumber,
      environment: "dev",
      run: {
        kind,
        trigger,
        commitSha: COMMIT,
        triggeredBy: "octocat",
        repeatsRunId: RUN,
        runtimeConfig,
      },
    });
    // The orphan is left out; the rest runs with its spec, placed in the new run afresh.
    expect(opened!.components.map((component) => component.spec.stack)).toEqual(["network"]);
    const [component] = opened!.components;
    expect(component).toMatchObject({
      changeKind: kind === "destroy" ? "destroy" : "update",
      phase: "QUEUED",
      spec: {
        variables: { size: 3 },
        skipApplying: true,
        sourceSha: DEPLOYED,
        ref: "refs/heads/main",
      },
    });
    expect(component!.spec.waitsFor).toBeUndefined();
    expect(ports.github.fileReads).toEqual([]);
  });

  it("a pull request's plan is refused once the pull request is closed", async () => {
    const ports = fakePorts();
    ports.runViews.add(runView(RUN, [runComponent(RUN, "network", "UNCONFIRMED")]));
    ports.github.pullRequests.set(7, {
      number: 7,
      state: "closed",
      headSha: "a".repeat(40),
      baseSha: "b".repeat(40),
      baseRef: "main",
      author: "dev",
      fork: false,
      mergeableState: "clean",
      merged: false,
    });
    expect(await rerunRun(ports.deps, { runId: RUN, actor: "octocat" })).toEqual({
      kind: "refused",
      reason: "pull request #7 is closed",
    });
    expect(ports.changesets.opened).toEqual([]);
  });

  it("refuses a run that no longer exists", async () => {
    const ports = fakePorts();
    expect(await rerunRun(ports.deps, { runId: RUN, actor: "octocat" })).toEqual({
      kind: "refused",
      reason: "the run no longer exists",
    });
  });
});

describe("canRerun: where the Re-run button shows", () => {
  const entry = (changeKind: "update" | "orphan") => ({ changeKind });
  it.each([
    {
      case: "a run with a component to run",
      components: [entry("update"), entry("orphan")],
      rerun: true,
    },
    { case: "a run of orphans alone", components: [entry("orphan")], rerun: false },
  ])("$case → $rerun", ({ components, rerun }) => {
    expect(canRerun({ components } as never)).toBe(rerun);
  });
});
