import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { eventually } from "../../helpers/deliver.js";
import { HEAD, PULL_NUMBER } from "../../helpers/pull-request-scenario.js";
import { settled } from "../../helpers/test-bosun.js";
import { OTHER_HEAD, single, useWavesFlow } from "../../helpers/waves-flow.js";

/**
 * `/promote ENV`: a changeset copied into another environment, re-based on its own head
 * (docs/design.md "Lifecycle": promotion).
 * Driven through the real server against a fake GitHub repository (test/helpers/waves-flow.ts).
 */
describe("promoting a pull request", () => {
  const flow = useWavesFlow("promote-flow", 820_000);

  it("promotes dev to prod after dev applied, re-based on prod's head, refused once prod moved", async () => {
    const config = single("[dev, prod]");
    await flow.useConfig(config, { [HEAD]: {}, [OTHER_HEAD]: {} });
    flow.changed("network");
    await flow.openPullRequest();
    await flow.waitForCheck("bosun/dev", "action_required");
    await flow.waitForCheck("bosun/prod", "action_required");
    await settled(flow.bosun);

    // promote_from: dev must have applied this very change first.
    await flow.comment("/promote prod");
    expect(await flow.replyTo("Codertocat")).toMatch(
      /Cannot promote to prod.*not been applied in dev/,
    );
    await flow.comment("/promote staging");
    expect(await flow.replyTo("Codertocat", 2)).toMatch(
      /staging.*not an environment[\s\S]*\/apply/,
    );

    let before = flow.repo.checkRuns.length;
    await flow.comment("/apply -e dev");
    await flow.waitForCheck("bosun/dev", "success", before);
    await settled(flow.bosun);
    before = flow.repo.checkRuns.length;
    await flow.comment("/promote prod");
    const promoted = await flow.waitForCheck("bosun/prod", "action_required", before);
    expect(promoted.head_sha).toBe(HEAD);
    const [source] = await flow.query<{ id: string }>(
      sql`select cs.id from changesets cs join environments e on e.id = cs.environment_id
          where cs.repository_id = ${flow.repositoryId} and e.name = 'dev'`,
    );
    const prodChangesets = await flow.query<{ status: string; promoted_from_id: string | null }>(
      sql`select cs.status, cs.promoted_from_id from changesets cs
          join environments e on e.id = cs.environment_id
          where cs.repository_id = ${flow.repositoryId} and e.name = 'prod' order by cs.created_at`,
    );
    // The pull request's own prod changeset is closed; the promoted one is new and says where from.
    expect(prodChangesets).toEqual([
      { status: "closed", promoted_from_id: null },
      { status: "open", promoted_from_id: source!.id },
    ]);
    const specs = await flow.query<{
      spec: { variables: Record<string, unknown> };
      trigger: string;
    }>(
      sql`select rc.spec, r.trigger from run_components rc join runs r on r.id = rc.run_id
          where r.repository_id = ${flow.repositoryId} and r.trigger = 'promote'`,
    );
    expect(specs).toEqual([
      { spec: expect.objectContaining({ environment: "prod" }), trigger: "promote" },
    ]);
    expect(specs[0]!.spec.variables).toMatchObject({ region: "us-east-1" });

    // Another pull request applies network@prod: the promoted changeset's base moved.
    const other = 3;
    flow.repo.pull.head.sha = OTHER_HEAD;
    before = flow.repo.checkRuns.length;
    await flow.openPullRequest(other, OTHER_HEAD);
    await flow.waitForCheck("bosun/prod", "action_required", before);
    await settled(flow.bosun);
    before = flow.repo.checkRuns.length;
    await flow.comment("/apply -e prod", "Codertocat", other);
    await flow.waitForCheck("bosun/prod", "success", before);
    await settled(flow.bosun);

    flow.repo.pull.head.sha = HEAD;
    await flow.comment("/apply -e prod");
    const refusal = await eventually(async () =>
      flow.repo.commentsOn(PULL_NUMBER).find((body) => body.includes("this plan is stale")),
    );
    expect(refusal).toMatch(/network@prod/);
    expect(await flow.revisionsOf("network", "prod")).toHaveLength(1);
  });
});
