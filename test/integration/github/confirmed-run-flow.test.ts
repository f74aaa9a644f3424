import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  HEAD,
  inRepository,
  MERGE_BASE,
  PULL_NUMBER,
} from "../../helpers/pull-request-scenario.js";
import { settled } from "../../helpers/test-bosun.js";
import { chain, OTHER_HEAD, single, useWavesFlow } from "../../helpers/waves-flow.js";
import { example } from "../../helpers/webhook-examples.js";

/**
 * Nothing stops a confirmed run (docs/design.md invariant 2): `/discard`, the Discard button and
 * closing or merging the pull request discard only what no approval has reached. Driven through
 * the real server against a fake GitHub repository (test/helpers/waves-flow.ts), with an engine
 * slow enough (0.7 s per resource, a wave taking over a second) for the discard to land while
 * the first of four waves applies.
 */
describe.each(databaseKinds)("a confirmed run on %s", (kind) => {
  const flow = useWavesFlow(`confirmed-${kind}`, kind === "pglite" ? 840_000 : 850_000, kind, {
    STANDIN_DELAY_MS: "700",
  });

  const scenario = () => ({ id: flow.repositoryId, fullName: flow.repo.fullName });
  const closeMergedPullRequest = async () => {
    const closed = example("pull_request", (p) => p.action === "closed" && !!p.installation);
    (closed.pull_request as { number: number; merged: boolean }).number = PULL_NUMBER;
    (closed.pull_request as { merged: boolean }).merged = true;
    await deliver(flow.bosun.url, "pull_request", inRepository(closed, scenario()));
  };

  it("/discard and a close during the first wave leave the later waves to apply; the deployment succeeds", async () => {
    await flow.useConfig(chain, { [HEAD]: {} });
    flow.changed("network", "db", "cache", "app");
    await flow.openPullRequest();
    const asked = await flow.waitForCheck("bosun/dev", "action_required");
    const checksBefore = flow.repo.checkRuns.length;
    await flow.comment("/apply");
    await eventually(
      async () =>
        (await flow.components()).some(
          (c) => c.stack === "network" && ["CONFIRMED", "APPLYING"].includes(c.phase),
        )
          ? true
          : undefined,
      { timeoutMs: 60_000 },
    );
    await flow.comment("/discard");
    await closeMergedPullRequest();

    await flow.waitForCheck("bosun/dev", "success", checksBefore);
    await settled(flow.bosun);
    expect(await flow.components()).toEqual(
      ["network", "cache", "db", "app"].map((stack) =>
        expect.objectContaining({ stack, phase: "FINISHED" }),
      ),
    );
    // Nothing of the run was ever discarded, not even for a moment.
    const discarded = await flow.query<{ n: number | string }>(
      sql`select count(*) as n from run_events ev join runs r on r.id = ev.run_id
          where r.repository_id = ${flow.repositoryId} and ev.to_state = 'DISCARDED'`,
    );
    expect(Number(discarded[0]?.n)).toBe(0);
    expect(flow.repo.deployments).toHaveLength(1);
    expect(flow.repo.deployments[0]?.statuses.map((status) => status.state)).toEqual([
      "in_progress",
      "success",
    ]);
    // The check run that asked for approval no longer offers Apply and Discard.
    const retired = flow.repo.checkRuns.find((run) => run.id === asked.id);
    expect(retired?.actions).toEqual([]);
    expect(retired?.conclusion).toBe("neutral");
  });

  it("a merge's push handled before its close: the tracked run waits for /apply on the merged pull request", async () => {
    await flow.useConfig(single("[dev]"), { [HEAD]: {}, [OTHER_HEAD]: {} });
    flow.changed("network");
    await flow.openPullRequest();
    await flow.waitForCheck("bosun/dev", "action_required");

    flow.repo.mergedPulls.set(OTHER_HEAD, PULL_NUMBER);
    const push = example("push", (p) => p.ref === "refs/heads/master" && !!p.installation);
    Object.assign(push, { before: MERGE_BASE, after: OTHER_HEAD, forced: false, created: false });
    const repository = push.repository as { id: number; full_name: string; name: string };
    repository.id = flow.repositoryId;
    repository.full_name = flow.repo.fullName;
    repository.name = flow.repo.fullName.split("/")[1]!;
    await deliver(flow.bosun.url, "push", push);
    const tracked = await eventually(
      async () =>
        flow.repo.checkRuns.find(
          (run) => run.head_sha === OTHER_HEAD && run.conclusion === "action_required",
        ),
      { timeoutMs: 90_000 },
    );
    await settled(flow.bosun);
    await closeMergedPullRequest();
    await settled(flow.bosun);
    expect(
      (await flow.components()).filter((c) => c.trigger === "push").map((c) => c.phase),
    ).toEqual(["UNCONFIRMED"]);

    await flow.comment("/apply");
    await eventually(
      async () =>
        flow.repo.checkRuns.some(
          (run) =>
            run.head_sha === OTHER_HEAD && run.id !== tracked.id && run.conclusion === "success",
        )
          ? true
          : undefined,
      { timeoutMs: 90_000 },
    );
    await settled(flow.bosun);
    expect(flow.repo.deployments.map((d) => d.body.ref)).toEqual([OTHER_HEAD]);
    expect(flow.repo.deployments[0]?.statuses.map((status) => status.state)).toEqual([
      "in_progress",
      "success",
    ]);
  });
});
