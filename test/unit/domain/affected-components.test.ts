import { describe, expect, it } from "vitest";
import { createGlobMatcher } from "../../../src/config/glob-matcher.js";
import {
  affectedComponents,
  type AffectedEnvironment,
  type ChangedFile,
  type ConfigDefinition,
  type StackDefinition,
} from "../../../src/domain/affected-components.js";

const DEFAULT_GLOBS = ["**/*.tf", "**/*.tofu", "**/*.tfvars", "**/*.tfvars.json"];

const stack = (name: string, overrides: Partial<StackDefinition> = {}): StackDefinition => ({
  name,
  dir: `infra/${name}`,
  engine: "opentofu",
  environments: ["dev", "prod"],
  var_files: [],
  when_modified: DEFAULT_GLOBS,
  on_remove: "destroy",
  depends_on: [],
  ...overrides,
});

const config = (
  stacks: StackDefinition[],
  variables: Record<string, Record<string, unknown>> = {},
): ConfigDefinition => ({
  environments: Object.fromEntries(
    ["dev", "prod", "qa"].map((env) => [env, { variables: variables[env] ?? {} }]),
  ),
  stacks,
});

const modified = (...filenames: string[]): ChangedFile[] =>
  filenames.map((filename) => ({ filename, status: "modified" }));

const network = stack("network", { var_files: ["env/${environment}.tfvars"] });
const app = stack("app", { depends_on: [{ stack: "network", inputs: { vpc_id: "vpc_id" } }] });
const root = stack("root", { dir: ".", environments: ["dev"] });
const BASE = config([network, app]);

interface Case {
  name: string;
  base?: ConfigDefinition | undefined;
  head?: ConfigDefinition;
  files?: ChangedFile[];
  watched?: Record<string, string[]>;
  expected: Record<string, Record<string, string>>;
}

const cases: Case[] = [
  { name: "nothing changed", expected: {} },
  {
    name: "a change outside every stack",
    files: modified("README.md", "docs/infra/network/main.tf"),
    expected: {},
  },
  {
    name: "a .tf file in a stack's dir, in each of its environments",
    files: modified("infra/network/main.tf"),
    expected: { dev: { network: "update" }, prod: { network: "update" } },
  },
  {
    name: "a file in a subdirectory of the dir",
    files: modified("infra/app/nested/x.tofu"),
    expected: { dev: { app: "update" }, prod: { app: "update" } },
  },
  {
    name: "a file the patterns do not watch",
    files: modified("infra/network/README.md", "infra/network/policy.json"),
    expected: {},
  },
  {
    name: "a dotfile the patterns match (dot: true)",
    files: modified("infra/network/.generated/x.tf"),
    expected: { dev: { network: "update" }, prod: { network: "update" } },
  },
  {
    name: "a directory whose name merely starts like the dir",
    files: modified("infra/network-old/main.tf"),
    expected: {},
  },
  {
    name: "one environment's var file: only that environment",
    files: modified("infra/network/env/dev.tfvars"),
    expected: { dev: { network: "update" } },
  },
  {
    name: "a var file the patterns do not match still counts",
    head: config([stack("network", { var_files: ["env/${environment}.json"] }), app]),
    base: config([stack("network", { var_files: ["env/${environment}.json"] }), app]),
    files: modified("infra/network/env/prod.json"),
    expected: { prod: { network: "update" } },
  },
  {
    name: "a var file shared by all environments",
    head: config([stack("network", { var_files: ["common.tfvars"] }), app]),
    base: config([stack("network", { var_files: ["common.tfvars"] }), app]),
    files: modified("infra/network/common.tfvars"),
    expected: { dev: { network: "update" }, prod: { network: "update" } },
  },
  {
    name: "a var file outside the stack's dir, shared from elsewhere in the repository",
    head: config([stack("network", { var_files: ["../${environment}.tfvars"] }), app]),
    base: config([stack("network", { var_files: ["../${environment}.tfvars"] }), app]),
    files: modified("infra/prod.tfvars"),
    expected: { prod: { network: "update" } },
  },
  {
    name: "a file in a local module: every stack that uses it",
    files: modified("modules/vpc/main.tf"),
    watched: {
      network: ["infra/network", "modules/vpc"],
      app: ["infra/app", "modules/vpc", "modules/dns"],
    },
    expected: {
      dev: { app: "update", network: "update" },
      prod: { app: "update", network: "update" },
    },
  },
  {
    name: "a module's file that the patterns do not watch",
    files: modified("modules/vpc/README.md"),
    watched: { network: ["infra/network", "modules/vpc"] },
    expected: {},
  },
  {
    name: "a stack at the repository root sees every matching file",
    head: config([root]),
    base: config([root]),
    files: modified("anything/deep/main.tf", "notes.txt"),
    expected: { dev: { root: "update" } },
  },
  {
    name: "a rename counts under its old path",
    files: [
      {
        filename: "archive/main.tf",
        previous_filename: "infra/network/main.tf",
        status: "renamed",
      },
    ],
    expected: { dev: { network: "update" }, prod: { network: "update" } },
  },
  {
    name: "a rename counts under its new path",
    files: [{ filename: "infra/app/main.tf", previous_filename: "old/main.tf", status: "renamed" }],
    expected: { dev: { app: "update" }, prod: { app: "update" } },
  },
  {
    name: "a removed file",
    files: [{ filename: "infra/app/outputs.tf", status: "removed" }],
    expected: { dev: { app: "update" }, prod: { app: "update" } },
  },
  {
    name: "an unchanged file does not count",
    files: [{ filename: "infra/app/outputs.tf", status: "unchanged" }],
    expected: {},
  },
  {
    name: "an exclusion: the last matching pattern decides",
    head: config([stack("app", { when_modified: ["**/*.tf", "!tests/**", "tests/keep.tf"] })]),
    base: config([stack("app", { when_modified: ["**/*.tf"] })]),
    files: modified("infra/app/tests/a.tf", "infra/app/tests/keep.tf"),
    expected: { dev: { app: "update" }, prod: { app: "update" } },
  },
  {
    name: "an excluded file alone",
    head: config([stack("app", { when_modified: ["**/*.tf", "!tests/**"] })]),
    base: config([stack("app", { when_modified: ["**/*.tf", "!tests/**"] })]),
    files: modified("infra/app/tests/a.tf"),
    expected: {},
  },
  {
    name: "a new stack: create in each environment",
    head: config([network, app, stack("dns", { environments: ["prod"] })]),
    expected: { prod: { dns: "create" } },
  },
  {
    name: "a new stack with changed files is still a create",
    head: config([network, app, stack("dns")]),
    files: modified("infra/dns/main.tf"),
    expected: { dev: { dns: "create" }, prod: { dns: "create" } },
  },
  {
    name: "no bosun.yml before: everything is new",
    base: undefined,
    files: modified("infra/app/main.tf"),
    expected: {
      dev: { app: "create", network: "create" },
      prod: { app: "create", network: "create" },
    },
  },
  {
    name: "a removed stack: destroy, as its base entry says",
    head: config([network]),
    expected: { dev: { app: "destroy" }, prod: { app: "destroy" } },
  },
  {
    name: "a removed stack set to orphan in the base",
    base: config([network, { ...app, on_remove: "orphan" }]),
    head: config([network]),
    files: modified("infra/app/main.tf"),
    expected: { dev: { app: "orphan" }, prod: { app: "orphan" } },
  },
  {
    name: "an environment added to a stack",
    head: config([{ ...network, environments: ["dev", "prod", "qa"] }, app]),
    expected: { qa: { network: "create" } },
  },
  {
    name: "an environment removed from a stack, as the head's on_remove says",
    head: config([{ ...network, environments: ["dev"], on_remove: "orphan" }, app]),
    expected: { prod: { network: "orphan" } },
  },
  {
    name: "a moved dir",
    head: config([{ ...network, dir: "stacks/network" }, app]),
    expected: { dev: { network: "update" }, prod: { network: "update" } },
  },
  {
    name: "a moved dir watches the new dir",
    head: config([{ ...network, dir: "stacks/network" }, app]),
    base: config([{ ...network, dir: "stacks/network" }, app]),
    files: modified("stacks/network/main.tf", "infra/network/main.tf"),
    expected: { dev: { network: "update" }, prod: { network: "update" } },
  },
  {
    name: "another engine",
    head: config([network, { ...app, engine: "terraform" }]),
    expected: { dev: { app: "update" }, prod: { app: "update" } },
  },
  {
    name: "other var files",
    head: config([{ ...network, var_files: ["env/${environment}.tfvars", "extra.tfvars"] }, app]),
    expected: { dev: { network: "update" }, prod: { network: "update" } },
  },
  {
    name: "another state mode",
    head: config([{ ...network, state: "own" }, app]),
    expected: { dev: { network: "update" }, prod: { network: "update" } },
  },
  {
    name: "another dependency input",
    head: config([
      network,
      { ...app, depends_on: [{ stack: "network", inputs: { vpc: "vpc_id" } }] },
    ]),
    expected: { dev: { app: "update" }, prod: { app: "update" } },
  },
  {
    name: "dependencies reordered, inputs reordered: no change",
    base: config([
      network,
      stack("dns"),
      {
        ...app,
        depends_on: [
          { stack: "network", inputs: { a: "x", b: "y" } },
          { stack: "dns", inputs: {} },
        ],
      },
    ]),
    head: config([
      network,
      stack("dns"),
      {
        ...app,
        depends_on: [
          { stack: "dns", inputs: {} },
          { stack: "network", inputs: { b: "y", a: "x" } },
        ],
      },
    ]),
    expected: {},
  },
  {
    name: "settings that change when, not what: no change",
    head: config([
      { ...network, when_modified: ["**/*"], on_remove: "orphan" },
      { ...app, environments: ["prod", "dev"] },
    ]),
    expected: {},
  },
  {
    name: "an environment's variables: every stack there, that environment only",
    base: config([network, app], { prod: { region: "eu-west-1" } }),
    head: config([network, app], { prod: { region: "eu-west-2" } }),
    expected: { prod: { app: "update", network: "update" } },
  },
  {
    name: "variables with their keys reordered: no change",
    base: config([network, app], { dev: { a: 1, b: { c: 2, d: 3 } } }),
    head: config([network, app], { dev: { b: { d: 3, c: 2 }, a: 1 } }),
    expected: {},
  },
  {
    name: "a mix, sorted by environment and stack",
    base: config([network, app, stack("dns", { environments: ["qa"] })]),
    head: config([
      { ...network, environments: ["dev", "qa"] },
      app,
      stack("cdn", { environments: ["prod"] }),
    ]),
    files: modified("infra/app/main.tf"),
    expected: {
      dev: { app: "update" },
      prod: { app: "update", cdn: "create", network: "destroy" },
      qa: { dns: "destroy", network: "create" },
    },
  },
];

const toExpected = (result: AffectedEnvironment[]) =>
  Object.fromEntries(
    result.map(({ environment, components }) => [
      environment,
      Object.fromEntries(components.map(({ stack: name, change }) => [name, change])),
    ]),
  );

describe("affectedComponents", () => {
  it.each(cases)("$name", (testCase) => {
    const result = affectedComponents({
      base: "base" in testCase ? testCase.base : BASE,
      head: testCase.head ?? BASE,
      watchedPaths: new Map(Object.entries(testCase.watched ?? {})),
      changedFiles: testCase.files ?? [],
      match: createGlobMatcher(),
    });
    expect(toExpected(result)).toEqual(testCase.expected);
  });

  it("orders environments and stacks by name, whatever the config's order", () => {
    const stacks = [stack("zeta"), stack("alpha", { environments: ["prod", "dev"] }), stack("mid")];
    const result = affectedComponents({
      base: undefined,
      head: config(stacks),
      watchedPaths: new Map(),
      changedFiles: [],
      match: createGlobMatcher(),
    });
    expect(result).toEqual([
      {
        environment: "dev",
        components: [
          { stack: "alpha", change: "create" },
          { stack: "mid", change: "create" },
          { stack: "zeta", change: "create" },
        ],
      },
      {
        environment: "prod",
        components: [
          { stack: "alpha", change: "create" },
          { stack: "mid", change: "create" },
          { stack: "zeta", change: "create" },
        ],
      },
    ]);
  });

  it("passes the matcher paths relative to the watched directory and strips !", () => {
    const calls: [string, string][] = [];
    affectedComponents({
      base: config([stack("app", { when_modified: ["!x/**", "*.tf"] })]),
      // Matched once per stack, whatever the number of environments.
      head: config([stack("app", { when_modified: ["!x/**", "*.tf"] })]),
      watchedPaths: new Map([["app", ["infra/app", "modules/m"]]]),
      changedFiles: modified("modules/m/x/main.tf"),
      match: (glob, path) => {
        calls.push([glob, path]);
        return false;
      },
    });
    expect(calls).toEqual([["*.tf", "x/main.tf"]]);
  });

  it("takes only own keys for an environment called constructor", () => {
    const head: ConfigDefinition = {
      environments: { constructor: { variables: {} } },
      stacks: [stack("app", { environments: ["constructor"] })],
    };
    const base: ConfigDefinition = { environments: {}, stacks: head.stacks };
    const result = affectedComponents({
      base,
      head,
      watchedPaths: new Map(),
      changedFiles: [],
      match: createGlobMatcher(),
    });
    expect(result).toEqual([]);
  });
});
