import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startGithubFake, type GithubFake } from "../../helpers/github-fake/index.js";
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
 * An engine that crashes or prints something other than what its CLI contract promises, through a
 * pull request's plan: the component fails with what went wrong and the tail of the engine's
 * stderr on the check run, nothing is left waiting for approval, and the worker carries on.
 */

interface EngineCase {
  name: string;
  knobs: Record<string, string>;
  /** What the check run must say. */
  says: RegExp[];
}

const engineCases: EngineCase[] = [
  {
    name: "crashes in version",
    knobs: { STANDIN_CRASH: "version" },
    says: [/version crashed \(exit 11\)/, /panic: runtime error/],
  },
  {
    name: "crashes in init",
    knobs: { STANDIN_CRASH: "init" },
    says: [/init crashed \(exit 11\)/, /panic: runtime error/],
  },
  {
    name: "crashes in plan",
    knobs: { STANDIN_CRASH: "plan" },
    says: [/plan crashed \(exit 11\)/, /panic: runtime error/],
  },
  {
    name: "crashes in show",
    knobs: { STANDIN_CRASH: "show" },
    says: [/show crashed \(exit 11\)/, /panic: runtime error/],
  },
  {
    name: "prints something other than JSON for show -json",
    knobs: { STANDIN_BAD_JSON: "show" },
    says: [/JSON/],
  },
];

// PGlite only: what is under test is the runner and its reports; the PostgreSQL run would double
// the file's time for no new path (http-intake and comment-commands cover both).
describe.each(["pglite"] as const)("a misbehaving engine on %s", (kind) => {
  let hostile: HostileBosun;
  let github: GithubFake;
  let repo: HostileRepo;
  const bosun = () => hostile.bosun;

  beforeAll(async () => {
    hostile = await startHostileBosun(kind);
  });
  afterAll(async () => {
    await hostile?.close();
  });
  beforeEach(async () => {
    github = await startGithubFake();
  });
  afterEach(async () => {
    await expectStillUp(bosun());
    await hostile.setEngineKnobs({});
    await github.close();
    github.verify();
    await expectNothingApplied(bosun(), repo.id);
    expectNoEngineApply(await hostile.engineCommands());
  });

  it.each(engineCases)(
    "fails the plan when the engine $name, saying so",
    async ({ knobs, says }) => {
      await hostile.setEngineKnobs(knobs);
      repo = await HostileRepo.create(github, `engine-${kind}`);
      const deliveryId = await repo.openPullRequest(bosun());
      const check = await repo.check("bosun/dev", "failure");
      const shown = `${check.output?.summary ?? ""}\n${check.output?.text ?? ""}`;
      for (const pattern of says) expect(shown).toMatch(pattern);
      expect(shown).toMatch(/Plan failed/);
      expect(check.actions ?? []).toEqual([]);
      expect((await finalDelivery(bosun(), deliveryId)).status).toBe("processed");
    },
  );

  it("plans normally again once the engine behaves", async () => {
    repo = await HostileRepo.create(github, `engine-sound-${kind}`);
    await repo.openPullRequest(bosun());
    const check = await repo.check("bosun/dev", "action_required");
    expect(check.output?.title).toMatch(/1 to add/);
  });
});
