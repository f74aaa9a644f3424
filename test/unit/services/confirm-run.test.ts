import { describe, expect, it } from "vitest";
import type { PullRequestState } from "../../../src/services/github-port.js";
import { confirmRun } from "../../../src/services/confirm-run.js";
import { discardRun } from "../../../src/services/discard-run.js";
import type { RunView } from "../../../src/services/run-view-port.js";
import type { TriggerActor } from "../../../src/services/trigger-stack-run.js";
import { fakePorts, type FakePorts } from "../../helpers/ports/plan-deps.js";
import { runComponent, runView } from "../../helpers/ports/run-views.js";

const HEAD = "a".repeat(40);
const TOKEN: TriggerActor = { kind: "token", tokenId: "token-1", name: "ci" };
const config = (requirements: string) => `version: 1
apply:
  requirements: [${requirements}]
environments:
  dev: {}
stacks:
  - name: network
    dir: infra/network
    environments: [dev]
`;

/** One run waiting for approval in octo/infra, whose tracked branch requires `requirements`. */
function world(run: Partial<RunView>, requirements = "approved"): FakePorts {
  const ports = fakePorts("octo/infra");
  ports.github.withFiles("main", { "bosun.yml": config(requirements) });
  ports.github.permissions.set("writer", "write");
  ports.github.permissions.set("reader", "read");
  ports.runViews.add(
    runView(
      "run-1",
      [runComponent("run-1", "network", run.kind === "plan" ? "FINISHED" : "UNCONFIRMED")],
      {
        commitSha: HEAD,
        ...run,
      },
    ),
  );
  return ports;
}

const TRACKED: Partial<RunView> = {
  kind: "tracked",
  pullRequestNumber: undefined,
  changesetId: undefined,
  trigger: "manual",
};

describe("confirmRun: the HTTP API's approval gate", () => {
  it("confirms a tracked run for a trigger token, recorded as the machine user", async () => {
    const ports = world(TRACKED);
    expect(await confirmRun(ports.deps, { runId: "run-1", actor: TOKEN })).toEqual({
      kind: "done",
    });
    expect(ports.runTransitions.requested).toEqual([
      {
        kind: "confirm",
        runId: "run-1",
        runComponentIds: ["run-1/network"],
        actor: "ci (API token)",
        cause: "confirmed by api",
      },
    ]);
    expect(ports.queue.sent.map(({ data }) => data)).toContainEqual({
      runComponentId: "run-1/network",
      action: "apply",
    });
  });

  it("asks GitHub whether a person may write", async () => {
    const ports = world(TRACKED);
    expect(
      await confirmRun(ports.deps, { runId: "run-1", actor: { kind: "person", login: "reader" } }),
    ).toMatchObject({
      kind: "refused",
      status: 403,
      reason: "reader does not have write permission on the repository",
    });
    expect(ports.runTransitions.requested).toEqual([]);
  });

  it("never applies a plan-only run", async () => {
    const ports = world({ ...TRACKED, kind: "plan" });
    expect(await confirmRun(ports.deps, { runId: "run-1", actor: TOKEN })).toEqual({
      kind: "refused",
      status: 409,
      reason: "a plan-only run is never applied; trigger a run of kind tracked to plan and apply",
    });
  });

  it("refuses a destroy no pull request started while the repository requires approval", async () => {
    const ports = world({ ...TRACKED, kind: "destroy" }, "approved, mergeable");
    expect(await confirmRun(ports.deps, { runId: "run-1", actor: TOKEN })).toEqual({
      kind: "refused",
      status: 409,
      reason:
        "the repository requires approved, mergeable before an apply, which only a pull request can meet, and this run has none",
      refusal: "needs-pull-request",
    });
    expect(ports.runTransitions.requested).toEqual([]);
  });

  it("confirms such a destroy when the repository requires nothing", async () => {
    const ports = world({ ...TRACKED, kind: "destroy" }, "");
    expect(await confirmRun(ports.deps, { runId: "run-1", actor: TOKEN })).toEqual({
      kind: "done",
    });
  });

  it("holds a pull request's plan to its requirements, saying which are unmet", async () => {
    const ports = world({ kind: "proposed", pullRequestNumber: 7 });
    const pullRequest: PullRequestState = {
      number: 7,
      headSha: HEAD,
      baseSha: "b".repeat(40),
      baseRef: "main",
      state: "open",
      merged: false,
      mergeableState: "clean",
      author: "author",
      fork: false,
    };
    ports.github.pullRequests.set(7, pullRequest);
    expect(await confirmRun(ports.deps, { runId: "run-1", actor: TOKEN })).toEqual({
      kind: "refused",
      status: 409,
      reason: `the repository's requirements for an apply do not hold: approved (0 of 1 approving review of ${HEAD.slice(0, 7)} by writers other than the author)`,
      refusal: "requirements-unmet",
    });
  });

  it("answers 404 for a run that does not exist", async () => {
    const ports = world(TRACKED);
    expect(await confirmRun(ports.deps, { runId: "run-2", actor: TOKEN })).toMatchObject({
      status: 404,
    });
  });
});

describe("discardRun", () => {
  it("discards what waits for approval, once", async () => {
    const ports = world(TRACKED);
    expect(await discardRun(ports.deps, { runId: "run-1", actor: TOKEN })).toEqual({
      kind: "done",
    });
    expect(ports.runTransitions.requested).toEqual([
      {
        kind: "discard",
        runId: "run-1",
        actor: "ci (API token)",
        cause: "discarded through the HTTP API",
      },
    ]);
    expect(await discardRun(ports.deps, { runId: "run-1", actor: TOKEN })).toEqual({
      kind: "refused",
      status: 409,
      reason: "nothing of this run is waiting for approval, so there is nothing to discard",
    });
  });
});
