import { describe, expect, it } from "vitest";
import { eventually } from "../../helpers/deliver.js";
import { HEAD, NEXT_HEAD, PULL_NUMBER } from "../../helpers/pull-request-scenario.js";
import { settled } from "../../helpers/test-bosun.js";
import {
  chain,
  diamond,
  downstream,
  environments,
  network,
  useWavesFlow,
} from "../../helpers/waves-flow.js";

/**
 * Dependency waves: one approval, then the run walks the graph on its own (docs/design.md
 * "Lifecycle"); and the graph bosun.yml may declare. Driven through the real server against a
 * fake GitHub repository (test/helpers/waves-flow.ts).
 */
describe("the dependency waves of a pull request", () => {
  const flow = useWavesFlow("waves-flow", 800_000);

  it("walks a three-level graph and a diamond after one approval, inputs from fresh outputs", async () => {
    await flow.useConfig(chain, { [HEAD]: {} });
    flow.changed("network", "db", "cache", "app");
    await flow.openPullRequest();
    const planned = await flow.waitForCheck("bosun/dev", "action_required");
    expect(planned.output?.summary).toMatch(/network@dev/);
    const comment0 = await eventually(async () => {
      const body = flow.repo.commentsOn(PULL_NUMBER)[0];
      return body?.includes("waits for the outputs of") ? body : undefined;
    });
    expect(comment0).toMatch(/app@dev waits for the outputs of cache@dev, db@dev/);
    expect(await flow.components()).toEqual([
      expect.objectContaining({ stack: "network", phase: "UNCONFIRMED", wave: 0 }),
      expect.objectContaining({
        stack: "cache",
        phase: "DEFERRED",
        wave: 1,
        failure_reason: "waits for the outputs of network@dev",
      }),
      expect.objectContaining({ stack: "db", phase: "DEFERRED", wave: 1 }),
      expect.objectContaining({
        stack: "app",
        phase: "DEFERRED",
        wave: 2,
        failure_reason: "waits for the outputs of cache@dev, db@dev",
      }),
    ]);

    const checksBefore = flow.repo.checkRuns.length;
    await flow.comment("/apply");
    const done = await flow.waitForCheck("bosun/dev", "success", checksBefore);
    await settled(flow.bosun);

    // One approval for the whole cycle: one /apply, and every later wave confirmed on its behalf.
    const confirmed = await flow.confirmations();
    expect(confirmed).toHaveLength(4);
    expect(new Set(confirmed.map((event) => event.actor))).toEqual(new Set(["Codertocat"]));
    expect(confirmed.filter((event) => event.cause === "confirmed by comment")).toHaveLength(1);
    const fresh = flow.repo.checkRuns.slice(checksBefore);
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.history.some((body) => body.conclusion === "action_required")).toBe(false);
    // The check run is updated as the run reaches each wave, not only at the end.
    expect(
      fresh[0]!.history.filter((body) => body.status === "in_progress").length,
    ).toBeGreaterThan(1);
    expect(done.output?.text).toMatch(/null_resource\.app/);
    expect(flow.repo.deployments).toHaveLength(1);
    await eventually(async () =>
      flow.repo.deployments[0]?.statuses.some((status) => status.state === "success")
        ? true
        : undefined,
    );
    expect(await flow.components()).toEqual(
      ["network", "cache", "db", "app"].map((stack) =>
        expect.objectContaining({ stack, phase: "FINISHED" }),
      ),
    );

    // Inputs flow from the fresh outputs of each upstream.
    const [networkRevision] = await flow.revisionsOf("network");
    const [dbRevision] = await flow.revisionsOf("db");
    const [cacheRevision] = await flow.revisionsOf("cache");
    const [appRevision] = await flow.revisionsOf("app");
    expect(networkRevision?.outputs.vpc_id).toEqual(expect.any(String));
    expect(dbRevision?.inputs.variables.vpc_id).toBe(networkRevision?.outputs.vpc_id);
    expect(cacheRevision?.inputs.variables.vpc_id).toBe(networkRevision?.outputs.vpc_id);
    expect(appRevision?.inputs.variables).toMatchObject({
      db_id: dbRevision?.outputs.db_id,
      cache_id: cacheRevision?.outputs.cache_id,
    });
  });

  it("blocks the dependents of a failing middle component; the rest go on: PARTIALLY_FAILED", async () => {
    await flow.useConfig(diamond, { [HEAD]: {} });
    flow.changed("network", "db", "broken", "app");
    await flow.openPullRequest();
    await flow.waitForCheck("bosun/dev", "action_required");
    const checksBefore = flow.repo.checkRuns.length;
    await flow.comment("/apply");
    const failed = await flow.waitForCheck("bosun/dev", "failure", checksBefore);
    await settled(flow.bosun);
    expect(await flow.components()).toEqual([
      expect.objectContaining({ stack: "network", phase: "FINISHED", wave: 0 }),
      expect.objectContaining({ stack: "broken", phase: "FAILED", wave: 1 }),
      expect.objectContaining({ stack: "db", phase: "FINISHED", wave: 1 }),
      expect.objectContaining({
        stack: "app",
        phase: "BLOCKED",
        wave: 2,
        failure_reason: "blocked: upstream broken@dev did not apply",
      }),
    ]);
    expect(failed.output?.title ?? "").not.toBe("");
    const deployment = await eventually(async () =>
      flow.repo.deployments[0]?.statuses.some((status) => status.state === "failure")
        ? flow.repo.deployments[0]
        : undefined,
    );
    expect(deployment.statuses.at(-1)?.description).toMatch(/partially failed/);
    expect(await flow.revisionsOf("db")).toHaveLength(1);
    expect(await flow.revisionsOf("app")).toHaveLength(0);
    const body = await eventually(async () => {
      const text = flow.repo.commentsOn(PULL_NUMBER)[0];
      return text?.includes("was not run") ? text : undefined;
    });
    expect(body).toMatch(/app@dev/);
  });

  it("rejects a dependency cycle, named, and an input the downstream does not declare", async () => {
    const cycle = `version: 1
${environments}stacks:
  - name: network
    dir: infra/network
    environments: [dev]
    depends_on: [{ stack: app }]
${downstream("db", "db", { network: { vpc_id: "vpc_id" } })}${downstream("app", "app", { db: { db_id: "db_id" } })}`;
    await flow.useConfig(chain, {});
    await flow.useCommit(HEAD, cycle);
    flow.changed("network");
    await flow.openPullRequest();
    const check = await flow.waitForCheck("bosun/config", "failure");
    expect(check.output?.summary).toMatch(/dependency cycle: network → app → db → network/);
    expect(check.output?.summary).toMatch(/line 15/);

    const undeclared = `version: 1
${environments}stacks:
${network()}${downstream("db", "db", { network: { vpc_id: "vpc_id", subnet: "vpc_id" } })}`;
    await flow.useCommit(NEXT_HEAD, undeclared);
    flow.repo.pull.head.sha = NEXT_HEAD;
    const before = flow.repo.checkRuns.length;
    await flow.comment("/plan");
    const second = await flow.waitForCheck("bosun/config", "failure", before);
    expect(second.output?.summary).toMatch(/input "subnet" is not a variable of stack "db"/);
    expect(await flow.components()).toEqual([]);
  });
});
