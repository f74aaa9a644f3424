import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { HEAD, NEXT_HEAD } from "../../helpers/pull-request-scenario.js";
import { settled } from "../../helpers/test-bosun.js";
import { single, useWavesFlow } from "../../helpers/waves-flow.js";

/**
 * `/revert`: a new changeset replaying previous revisions, planned and applied like any other
 * (docs/design.md "Lifecycle": undo is a revert).
 * Driven through the real server against a fake GitHub repository (test/helpers/waves-flow.ts).
 */
describe("reverting a run", () => {
  const flow = useWavesFlow("revert-flow", 810_000);

  it("reverts an update and then a create, as new changesets that each need /apply", async () => {
    const config = single("[dev]");
    await flow.useConfig(config, {
      [HEAD]: {},
      [NEXT_HEAD]: { "infra/network/env/dev.tfvars": 'name = "dev-next"\n' },
    });
    flow.changed("network");
    await flow.openPullRequest();
    await flow.waitForCheck("bosun/dev", "action_required");
    await flow.comment("/apply");
    await flow.waitForCheck("bosun/dev", "success");
    await settled(flow.bosun);
    flow.repo.pull.head.sha = NEXT_HEAD;
    let before = flow.repo.checkRuns.length;
    await flow.comment("/plan");
    await flow.waitForCheck("bosun/dev", "action_required", before);
    before = flow.repo.checkRuns.length;
    await flow.comment("/apply");
    await flow.waitForCheck("bosun/dev", "success", before);
    await settled(flow.bosun);
    const [created, updated] = await flow.revisionsOf("network");
    expect(created?.commit_sha).toBe(HEAD);
    expect(updated?.commit_sha).toBe(NEXT_HEAD);

    flow.repo.permissions.set("reader", "read");
    await flow.comment(`/revert ${updated!.run_id}`, "reader");
    expect(await flow.replyTo("reader")).toMatch(/write/);
    await flow.comment("/revert 00000000-0000-4000-8000-000000000000");
    const unknown = await flow.replyTo("Codertocat");
    expect(unknown).toMatch(/No such run/);
    expect(unknown).toMatch(/\/help|Bosun commands/);

    // Without a run id: the pull request's newest run that applied something.
    before = flow.repo.checkRuns.length;
    await flow.comment("/revert");
    const revertPlanned = await flow.waitForCheck("bosun/dev", "action_required", before);
    expect(revertPlanned.head_sha).toBe(NEXT_HEAD);
    expect(revertPlanned.output?.title).toMatch(/1 to change|1 to replace|to add/);
    before = flow.repo.checkRuns.length;
    await flow.comment("/apply");
    await flow.waitForCheck("bosun/dev", "success", before);
    await settled(flow.bosun);
    const history = await flow.revisionsOf("network");
    expect(history).toHaveLength(3);
    // The previous revision replayed: its commit and inputs; the history before it untouched.
    expect(history[2]).toMatchObject({ commit_sha: HEAD, inputs: created!.inputs });
    expect(history.slice(0, 2)).toEqual([created, updated]);
    const reverts = await flow.query<{ reverts_run_id: string }>(
      sql`select reverts_run_id from changesets where repository_id = ${flow.repositoryId} and reverts_run_id is not null`,
    );
    expect(reverts).toEqual([{ reverts_run_id: updated!.run_id }]);

    before = flow.repo.checkRuns.length;
    await flow.comment(`/revert ${created!.run_id}`);
    const destroy = await flow.waitForCheck("bosun/dev", "action_required", before);
    expect(destroy.output?.title).toMatch(/1 to destroy/);
    expect(flow.repo.deployments).toHaveLength(3);
    before = flow.repo.checkRuns.length;
    await flow.comment("/apply");
    await flow.waitForCheck("bosun/dev", "success", before);
    await settled(flow.bosun);
    expect(await flow.revisionsOf("network")).toHaveLength(4);
    const revertRuns = (await flow.components()).filter((row) => row.trigger === "revert");
    expect(revertRuns.map((row) => row.phase)).toEqual(["FINISHED", "FINISHED"]);
  });
});
