import { describe, expect, it } from "vitest";
import { HEAD } from "../../helpers/pull-request-scenario.js";
import { settled } from "../../helpers/test-bosun.js";
import {
  downstream,
  environments,
  network,
  OTHER_HEAD,
  useWavesFlow,
} from "../../helpers/waves-flow.js";

/**
 * Stale rejection before every wave (docs/design.md invariant 4): a later wave whose component another
 * run applied meanwhile is refused, never re-planned, and the run ends PARTIALLY_FAILED. Driven
 * through the real server against a fake GitHub repository (test/helpers/waves-flow.ts).
 */
describe("a later wave that went stale", () => {
  const flow = useWavesFlow("wave-stale-flow", 830_000);
  const FIRST = "4444444444444444444444444444444444444444";
  const config = `version: 1
${environments}stacks:
${network()}${downstream("db", "db", { network: { vpc_id: "vpc_id" } })}`;

  it("refuses a deferred component whose deployed head moved after its changeset was based", async () => {
    await flow.useConfig(config, {
      [FIRST]: {},
      [HEAD]: { "infra/network/env/dev.tfvars": 'name = "dev-two"\n' },
      [OTHER_HEAD]: {},
    });
    const apply = async (number: number, headSha: string) => {
      flow.repo.pull.head.sha = headSha;
      const before = flow.repo.checkRuns.length;
      await flow.comment("/apply", "Codertocat", number);
      return before;
    };

    // network@dev is deployed by a first pull request.
    flow.changed("network");
    await flow.openPullRequest(4, FIRST);
    await flow.waitForCheck("bosun/dev", "action_required");
    await settled(flow.bosun);
    await flow.waitForCheck("bosun/dev", "success", await apply(4, FIRST));
    await settled(flow.bosun);

    // This pull request changes both: db waits for network's fresh outputs.
    flow.changed("network", "db");
    let before = flow.repo.checkRuns.length;
    await flow.openPullRequest(2, HEAD);
    await flow.waitForCheck("bosun/dev", "action_required", before);
    await settled(flow.bosun);

    // Meanwhile another pull request applies db@dev alone.
    flow.changed("db");
    before = flow.repo.checkRuns.length;
    await flow.openPullRequest(3, OTHER_HEAD);
    await flow.waitForCheck("bosun/dev", "action_required", before);
    await settled(flow.bosun);
    await flow.waitForCheck("bosun/dev", "success", await apply(3, OTHER_HEAD));
    await settled(flow.bosun);

    // network still is where this changeset was based, so the approval holds for the first wave;
    // db's head moved, so its wave is refused instead of re-planned.
    await flow.waitForCheck("bosun/dev", "failure", await apply(2, HEAD));
    await settled(flow.bosun);
    const rows = await flow.components();
    const walked = rows.find((row) => row.stack === "db" && row.wave === 1)?.run_id;
    expect(rows.filter((row) => row.run_id === walked)).toEqual([
      expect.objectContaining({ stack: "network", phase: "FINISHED", wave: 0 }),
      expect.objectContaining({
        stack: "db",
        phase: "FAILED",
        wave: 1,
        failure_reason: expect.stringMatching(/^stale: another run applied db@dev/),
      }),
    ]);
    expect(await flow.revisionsOf("db")).toHaveLength(1);
    expect(await flow.revisionsOf("network")).toHaveLength(2);
    const deployment = flow.repo.deployments.at(-1);
    expect(deployment?.statuses.at(-1)?.description).toMatch(/partially failed/);
  });
});
