import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { importAtlantisConfig } from "../../../src/config/import-atlantis-config.js";
import { parseRepoConfig } from "../../../src/config/parse-repo-config.js";

const fixtureDir = new URL("../../fixtures/atlantis/", import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtureDir), "utf8");
/** The atlantis.yaml examples that convert; bad.yaml is the one that must not. */
const examples = readdirSync(fixtureDir)
  .filter((file) => file.endsWith(".yaml") && file !== "bad.yaml")
  .sort();

function convert(text: string): string {
  const result = importAtlantisConfig(text);
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.text;
}

describe("importAtlantisConfig", () => {
  it.each(examples)("converts %s as its golden bosun.yml says", async (name) => {
    await expect(convert(fixture(name))).toMatchFileSnapshot(
      fileURLToPath(new URL(name.replace(/\.yaml$/, ".bosun.yml"), fixtureDir)),
    );
  });

  it.each(examples)("writes from %s a bosun.yml Bosun's own parser accepts", (name) => {
    const result = parseRepoConfig(convert(fixture(name)));
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it("keeps each project's own backend, a workspace per environment, and its engine version", () => {
    const config = parseDocument(convert(fixture("shared-modules.yaml"))).toJS() as {
      stacks: Record<string, unknown>[];
    };
    expect(config.stacks.map((stack) => stack.workspace)).toEqual([
      "${environment}",
      "${environment}",
    ]);
    const pinned = parseDocument(convert(fixture("every-key.yaml"))).toJS() as {
      stacks: Record<string, unknown>[];
    };
    // Atlantis's v1.7.5 is the exact constraint 1.7.5, a string as engine_version's "~> 1.11" is.
    expect(pinned.stacks[0]!.engine_version).toBe("1.7.5");
  });

  it("keeps one engine version per stack, saying when the workspaces pinned others", () => {
    const same = convert(`version: 3
projects:
  - { dir: app, workspace: dev, terraform_version: 1.9.8 }
  - { dir: app, workspace: prod, terraform_version: v1.9.8 }
`);
    expect(same).toContain("engine_version: 1.9.8");
    expect(same).not.toContain("pinned");
    const mixed = convert(`version: 3
projects:
  - { dir: app, workspace: dev, terraform_version: 1.10.2 }
  - { dir: app, workspace: prod }
`);
    expect(mixed).toContain(
      "# The workspaces pinned 1.10.2 and the default; a Bosun stack runs one version in every environment: the first is kept.\n    engine_version: 1.10.2",
    );
  });

  it("makes one stack of a directory's workspaces, an environment per workspace", () => {
    const config = parseDocument(convert(fixture("execution-order.yaml"))).toJS() as {
      environments: Record<string, unknown>;
      stacks: { name: string; environments: string[]; when_modified: string[] }[];
    };
    expect(Object.keys(config.environments)).toEqual(["sandbox", "preprod", "live"]);
    expect(config.stacks).toHaveLength(1);
    expect(config.stacks[0]).toMatchObject({
      name: "root",
      environments: ["sandbox", "preprod", "live"],
      when_modified: ["*.tf", "env/sandbox.tfvars", "env/preprod.tfvars", "env/live.tfvars"],
    });
  });

  it("names environments after the projects when they share a directory and a workspace", () => {
    const text = convert(`version: 3
projects:
  - { name: App-Dev, dir: app, workflow: dev }
  - { name: app-prod, dir: app, workflow: prod }
`);
    const config = parseDocument(text).toJS() as {
      stacks: Record<string, unknown>[];
    };
    expect(config.stacks).toEqual([
      {
        name: "app",
        dir: "app",
        engine: "terraform",
        environments: ["app-dev", "app-prod"],
        state: "own",
      },
    ]);
    expect(text).toContain("workflow: dev not carried over");
    expect(text).toContain("no such workflow is defined");
  });

  it("makes the projects' apply requirements repository-wide, saying which asked for what", () => {
    const text = convert(fixture("production-approvals.yaml"));
    expect(text).toContain(
      "#   live: approved\n  #   scratchpad: none\n  requirements:\n    - approved",
    );
  });

  it("comments on a file that lists no projects, which Atlantis discovers and Bosun does not", () => {
    const text = convert("version: 3\nparallel_plan: true\nparallel_apply: true\n");
    expect(text).toContain("Atlantis lists no projects, so it discovers them");
    expect(parseRepoConfig(text)).toMatchObject({ ok: true, config: { stacks: [] } });
  });

  it("keeps a dependency only where the upstream is deployed to every environment", () => {
    const text = convert(`version: 3
projects:
  - { name: dns, dir: dns }
  - { name: web, dir: web, workspace: staging, depends_on: [dns, nowhere] }
`);
    expect(text).toContain(
      "depends_on: dns (of web) not carried over: stack dns is not deployed to staging",
    );
    expect(text).toContain(
      "depends_on: nowhere (of web) not carried over: no project has that name",
    );
    expect(parseRepoConfig(text).ok).toBe(true);
  });

  it("leaves out a dependency that would close a cycle of stacks", () => {
    // No cycle in Atlantis: each environment is ordered its own way. Bosun's stacks are not.
    const text = convert(`version: 3
projects:
  - { name: a-dev, dir: a, workspace: dev }
  - { name: a-prod, dir: a, workspace: prod, depends_on: [b-prod] }
  - { name: b-dev, dir: b, workspace: dev, depends_on: [a-dev] }
  - { name: b-prod, dir: b, workspace: prod }
`);
    expect(text).toContain(
      "depends_on: a-dev (of b-dev) not carried over: stack a already depends on this one",
    );
    expect(parseRepoConfig(text).ok).toBe(true);
  });

  it("reports every problem of a bad atlantis.yaml with its line", () => {
    const result = importAtlantisConfig(fixture("bad.yaml"));
    expect(result.ok).toBe(false);
    expect(
      result.ok ? [] : result.problems.map(({ path, line, message }) => ({ path, line, message })),
    ).toEqual([
      {
        path: "projects[0].apply_requirements[1]",
        line: 5,
        message: 'Invalid option: expected one of "approved"|"mergeable"|"undiverged"',
      },
      {
        path: "projects[1].dir",
        line: 7,
        message: "must not contain .. (Atlantis refuses it too)",
      },
      {
        path: "projects[2].dir",
        line: 8,
        message:
          "a glob dir expands to a project per directory; a Bosun stack is one directory: list each directory as a project first",
      },
      {
        path: "projects[2].autoplan.when_modifed",
        line: 10,
        message: 'unknown key "when_modifed"',
      },
    ]);
  });

  it("refuses what Atlantis refuses: a repeated name, an unnamed twin, another version", () => {
    const twins = importAtlantisConfig(`version: 3
projects:
  - { name: a, dir: x }
  - { name: a, dir: y }
  - { dir: y }
`);
    expect(twins.ok ? [] : twins.problems.map(({ line, message }) => ({ line, message }))).toEqual([
      { line: 4, message: `the name "a" is already projects[0]'s` },
      { line: 5, message: "projects[1] also runs dir y in workspace default: give both a name" },
    ]);
    const old = importAtlantisConfig("version: 2\nprojects: []\n");
    expect(old.ok ? [] : old.problems.map(({ line }) => line)).toEqual([1]);
    const unquoted = importAtlantisConfig(
      "version: 3\nprojects:\n  - dir: a\n    terraform_version: 1.10\n",
    );
    expect(
      unquoted.ok ? [] : unquoted.problems.map(({ line, message }) => ({ line, message })),
    ).toEqual([{ line: 4, message: 'must be a string: quote a version such as "1.10"' }]);
  });
});
