import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../helpers/deliver.js";
import { startGithubFake, type GithubFake } from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import { HEAD, networkOnlyYml, PULL_NUMBER } from "../../helpers/pull-request-scenario.js";
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
 * Hostile or broken bosun.yml files on a pull request's head, through the webhook, the
 * pull-request handler and the config loader: each fails the `bosun/config` check run with the
 * problem and its line, is repeated in the PR comment, and plans nothing (the head's archive,
 * where its bosun.yml is read, is the only one downloaded).
 */

const billionLaughs = (() => {
  const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 9; i++) {
    const previous = String.fromCharCode(96 + i);
    const next = String.fromCharCode(97 + i);
    levels.push(`${next}: &${next} [${Array(10).fill(`*${previous}`).join(", ")}]`);
  }
  return `version: 1\n${levels.join("\n")}\n`;
})();

const nestedVariables = (depth: number) =>
  `version: 1\nenvironments:\n  dev:\n    variables:\n      x: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;

interface ConfigCase {
  name: string;
  bosunYml: string;
  /** What the check run's summary must say, line included where there is one. */
  says: RegExp[];
}

const configCases: ConfigCase[] = [
  {
    name: "a billion laughs (aliases of aliases)",
    bosunYml: billionLaughs,
    says: [/line 3/, /resource exhaustion|alias/i],
  },
  {
    name: "variables nested 100 levels deep",
    bosunYml: nestedVariables(100),
    says: [/line 5/, /nested more than 64 levels deep/],
  },
  {
    name: "variables nested deep enough to exhaust the parser's stack",
    bosunYml: nestedVariables(50_000),
    says: [/line 5/, /nested too deeply/],
  },
  {
    name: "a file over 1 MB",
    bosunYml: `version: 1\n# ${"x".repeat(1024 * 1024)}\n`,
    says: [/bytes; the limit is 1048576/],
  },
  {
    name: "duplicate keys",
    bosunYml: "version: 1\nversion: 1\n",
    says: [/line 2/, /unique/i],
  },
  {
    name: "stacks given as a string",
    bosunYml: "version: 1\nstacks: network\n",
    says: [/line 2/, /stacks/, /array/i],
  },
  {
    name: "an unsupported version",
    bosunYml: "version: 2\n",
    says: [/line 1/, /version/],
  },
  {
    name: "an unknown top-level key",
    bosunYml: "version: 1\nrun_anything: true\n",
    says: [/line 2/, /run_anything/],
  },
  {
    name: "a stack dir that climbs out of the repository",
    bosunYml:
      "version: 1\nenvironments:\n  dev: {}\nstacks:\n  - name: network\n    dir: ../../etc\n    environments: [dev]\n",
    says: [/line 6/, /\.\. segments/],
  },
  {
    name: "a stack name with shell metacharacters",
    bosunYml:
      "version: 1\nenvironments:\n  dev: {}\nstacks:\n  - name: net;rm -rf /\n    dir: infra/network\n    environments: [dev]\n",
    says: [/line 5/, /stack names are lowercase/],
  },
  {
    name: "a stack in an environment nobody declared",
    bosunYml:
      "version: 1\nenvironments:\n  dev: {}\nstacks:\n  - name: network\n    dir: infra/network\n    environments: [prod]\n",
    says: [/line 7/, /prod/],
  },
  {
    name: "a dependency cycle",
    bosunYml: `version: 1
environments:
  dev: {}
stacks:
  - name: a
    dir: infra/a
    environments: [dev]
    depends_on: [{ stack: b }]
  - name: b
    dir: infra/b
    environments: [dev]
    depends_on: [{ stack: a }]
`,
    says: [/cycle/],
  },
  {
    name: "broken YAML syntax",
    bosunYml: "version: 1\nstacks: [\n  - name: network\n",
    says: [/line \d/],
  },
  {
    name: "an alias to an anchor that does not exist",
    bosunYml: "version: 1\nenvironments: *nowhere\n",
    says: [/line 2/, /nowhere/],
  },
  {
    name: "a __proto__ key",
    bosunYml: "version: 1\nenvironments:\n  __proto__:\n    production: true\n",
    says: [/line 3/, /\\_\\_proto\\_\\_ is not allowed/],
  },
  {
    name: "YAML tags asking for other types",
    bosunYml: "version: 1\nenvironments:\n  dev:\n    variables:\n      blob: !!binary aGVsbG8=\n",
    says: [/line 5/],
  },
  {
    name: "an empty file",
    bosunYml: "",
    says: [/empty/],
  },
  {
    name: "binary garbage",
    bosunYml: "\u0000\u0001\u0002PK\u0003\u0004\u00ff\u00fe",
    says: [/line 1/],
  },
  {
    name: "a when_modified extglob that takes a backtracking matcher minutes",
    bosunYml: `${networkOnlyYml}    when_modified: ["${"+(a|aa)".repeat(12)}b"]\n`,
    // Named as written, Markdown-escaped: \+\(a\|aa\)…
    says: [/line 11/, /extglob/, /\(a\\?\|aa/],
  },
  {
    name: "a when_modified nested extglob",
    bosunYml: `${networkOnlyYml}    when_modified: ["*(*(*(*(a))))"]\n`,
    says: [/line 11/, /extglob/],
  },
  {
    name: "more when_modified patterns than the limit",
    bosunYml: `${networkOnlyYml}    when_modified: [${Array.from({ length: 101 }, (_, i) => `"f${i}.tf"`).join(", ")}]\n`,
    says: [/line 11/, /at most 100 patterns/],
  },
  {
    name: "a policy that is not valid CEL",
    bosunYml: `${networkOnlyYml}policies:\n  - name: broken\n    deny: "plan.resource_changes.exists(rc, "\n`,
    says: [/line 13/, /broken|policies/],
  },
  {
    name: "a policy longer than the limit",
    bosunYml: `${networkOnlyYml}policies:\n  - name: long\n    deny: "${"true && ".repeat(600)}true"\n`,
    says: [/line 13/, /4096/],
  },
];

const tens = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
const policyBomb = `${tens}.all(a, ${tens}.all(b, ${tens}.all(c, ${tens}.all(d, ${tens}.all(e, ${tens}.all(f, ${tens}.all(g, true)))))))`;

// PGlite only: the config loader never touches the database, and the PostgreSQL run would
// double the file's time for no new path (http-intake and comment-commands cover both).
describe.each(["pglite"] as const)("hostile bosun.yml files on %s", (kind) => {
  let hostile: HostileBosun;
  let github: GithubFake;
  const bosun = () => hostile.bosun;
  /** Every case's pull request is opened at once, so the workers take them as fast as they can. */
  const cases = new Map<string, { repo: HostileRepo; deliveryId: string }>();
  let bombRepo: HostileRepo;

  beforeAll(async () => {
    hostile = await startHostileBosun(kind);
    github = await startGithubFake();
    for (const { name, bosunYml } of configCases) {
      const repo = await HostileRepo.create(github, `config-${kind}`, {
        headFiles: { "bosun.yml": bosunYml, ...networkStackFiles },
      });
      cases.set(name, { repo, deliveryId: await repo.openPullRequest(bosun()) });
    }
    bombRepo = await HostileRepo.create(github, `policy-${kind}`);
    bombRepo.repo.files.set("master", {
      "bosun.yml": `${networkOnlyYml}policies:\n  - name: bomb\n    deny: "${policyBomb}"\n`,
    });
    await bombRepo.openPullRequest(bosun());
  });
  afterAll(async () => {
    await github?.close();
    await hostile?.close();
  });

  it.each(configCases)(
    "fails the config check for $name, with the problem and where",
    async ({ name, says }) => {
      const { repo, deliveryId } = cases.get(name)!;
      const check = await repo.check("bosun/config", "failure");
      expect(check.head_sha).toBe(HEAD);
      for (const pattern of says) expect(check.output?.summary ?? "").toMatch(pattern);
      expect((await finalDelivery(bosun(), deliveryId)).status).toBe("processed");
      expect(repo.repo.count("GET", /\/tarball\//)).toBe(1);
      expect(repo.repo.count("GET", new RegExp(`/tarball/${HEAD}$`))).toBe(1);
      expect(repo.repo.checkRuns.map((run) => run.name)).toEqual(["bosun/config"]);
      const comment = await eventually(async () => repo.repo.commentsOn(PULL_NUMBER)[0]);
      expect(comment).toContain("bosun.yml");
    },
  );

  it("denies a plan whose policy is a comprehension bomb, as a denial with the reason", async () => {
    const check = await bombRepo.check("bosun/dev", "failure");
    const shown = `${check.output?.summary ?? ""}\n${check.output?.text ?? ""}`;
    expect(shown).toMatch(/bomb/);
    expect(shown).toMatch(/policy bomb could not be evaluated: it took more than 1000000 steps/);
    // Denied at plan time: nothing was ever applied, and the status says so.
    expect(shown).toMatch(/Plan failed/);
    expect(shown).not.toMatch(/Apply failed/);
    expect(check.actions ?? []).toEqual([]);
  });

  it("stays up, applies nothing, and still plans a sound pull request afterwards", async () => {
    await expectStillUp(bosun());
    for (const repo of [...[...cases.values()].map((c) => c.repo), bombRepo]) {
      await expectNothingApplied(bosun(), repo.id);
    }
    github.verify();
    expectNoEngineApply(await hostile.engineCommands());
    const sound = await HostileRepo.create(github, `config-sound-${kind}`);
    await sound.openPullRequest(bosun());
    await sound.check("bosun/dev", "action_required");
    await expectStillUp(bosun());
    github.verify();
  });
});
