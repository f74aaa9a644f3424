import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  configJsonSchema,
  DEFAULT_WHEN_MODIFIED,
  type RepoConfig,
} from "../../../src/config/repo-config.js";
import {
  MAX_CONFIG_BYTES,
  parseRepoConfig,
  type ConfigProblem,
} from "../../../src/config/parse-repo-config.js";
import { splitTrust, tracksEnvironment } from "../../../src/config/split-trust.js";
import type { ConfigDefinition } from "../../../src/domain/affected-components.js";

/** docs/design.md's example, verbatim. */
const DESIGN_EXAMPLE = `version: 1
tracked_branch: main                 # default: the repo's default branch
environments:
  dev:  { variables: { region: eu-west-1 } }
  prod: { variables: { region: eu-west-1 }, promote_from: dev, production: true }
apply:
  requirements: [approved, mergeable, undiverged]   # any subset
  approve_on_review: false
  allow_forks: false
stacks:
  - name: network
    dir: infra/network
    engine: opentofu
    environments: [dev, prod]
    var_files: ["env/\${environment}.tfvars"]
    when_modified: ["**/*.tf", "**/*.tfvars"]       # relative to dir; local modules are followed
    autodeploy: false
    on_remove: destroy                               # or orphan
    state: managed                                   # Bosun's backend (default when none declared) or own
  - name: app
    dir: infra/app
    environments: [dev, prod]
    depends_on:
      - stack: network
        inputs: { vpc_id: vpc_id }                   # TF_VAR_vpc_id := network's output vpc_id
policies:
  - name: no-database-deletes
    deny: "plan.resource_changes.exists(rc, 'delete' in rc.change.actions && rc.type.startsWith('aws_db'))"
  - name: big-change
    warn: "size(plan.resource_changes.filter(rc, rc.change.actions != ['no-op'])) > 50"
`;

const parseOk = (text: string): RepoConfig => {
  const result = parseRepoConfig(text);
  if (!result.ok) throw new Error(`expected a valid config: ${JSON.stringify(result.problems)}`);
  return result.config;
};

const problemsOf = (text: string): ConfigProblem[] => {
  const result = parseRepoConfig(text);
  if (result.ok) throw new Error("expected problems, the config parsed");
  return result.problems;
};

/** A valid base to break one thing in: two environments, two stacks. */
const base = (extra: string) => `version: 1
environments:
  dev: {}
  prod: {}
${extra}`;

describe("parseRepoConfig: valid files", () => {
  it("reads docs/design.md's example, filling defaults", () => {
    expect(parseOk(DESIGN_EXAMPLE)).toEqual({
      version: 1,
      tracked_branch: "main",
      tracked_tags: [],
      environments: {
        dev: { variables: { region: "eu-west-1" }, production: false },
        prod: { variables: { region: "eu-west-1" }, promote_from: "dev", production: true },
      },
      apply: {
        requirements: ["approved", "mergeable", "undiverged"],
        approvals: 1,
        approve_on_review: false,
        allow_forks: false,
      },
      stacks: [
        {
          name: "network",
          dir: "infra/network",
          engine: "opentofu",
          environments: ["dev", "prod"],
          var_files: ["env/${environment}.tfvars"],
          when_modified: ["**/*.tf", "**/*.tfvars"],
          autodeploy: false,
          on_remove: "destroy",
          state: "managed",
          depends_on: [],
        },
        {
          name: "app",
          dir: "infra/app",
          engine: "opentofu",
          environments: ["dev", "prod"],
          var_files: [],
          when_modified: DEFAULT_WHEN_MODIFIED,
          autodeploy: false,
          on_remove: "destroy",
          depends_on: [{ stack: "network", inputs: { vpc_id: "vpc_id" } }],
        },
      ],
      policies: [
        {
          name: "no-database-deletes",
          deny: "plan.resource_changes.exists(rc, 'delete' in rc.change.actions && rc.type.startsWith('aws_db'))",
        },
        {
          name: "big-change",
          warn: "size(plan.resource_changes.filter(rc, rc.change.actions != ['no-op'])) > 50",
        },
      ],
      notifications: [],
    });
  });

  it("accepts policies over every variable a rule reads", () => {
    const config = parseOk(`version: 1
policies:
  - name: no-external-data
    deny: "scan.exists(f, f.kind == 'external-data-source')"
  - name: prod-by-merge
    deny: environment.production && run.kind == 'proposed'
    message: Production changes apply from the tracked branch.
  - name: drift
    warn: |
      plan.resource_drift.exists(d, d.change.actions != ['no-op'])
        || component.stack == 'network' && run.author != 'octocat'
`);
    expect(config.policies.map((policy) => policy.name)).toEqual([
      "no-external-data",
      "prod-by-merge",
      "drift",
    ]);
  });

  it("needs nothing but the version", () => {
    expect(parseOk("version: 1\n")).toEqual({
      version: 1,
      tracked_tags: [],
      environments: {},
      apply: { requirements: [], approvals: 1, approve_on_review: false, allow_forks: false },
      stacks: [],
      policies: [],
      notifications: [],
    });
  });

  it.each([
    ["the repository root as dir", "dir: ."],
    ["a terraform stack", "dir: x\n    engine: terraform"],
    ["orphan on removal, own state", "dir: x\n    on_remove: orphan\n    state: own"],
    ["an exclusion pattern", 'dir: x\n    when_modified: ["**/*.tf", "!**/test/**"]'],
    ["names with digits, - and _", "dir: x-1/y_2"],
  ])("accepts %s", (_, stack) => {
    expect(
      parseRepoConfig(base(`stacks:\n  - name: s\n    environments: [dev]\n    ${stack}\n`)),
    ).toMatchObject({ ok: true });
  });

  it("keeps a stack's engine_version as written", () => {
    const config = parseOk(
      base(
        `stacks:\n  - name: s\n    dir: x\n    environments: [dev]\n    engine_version: ">= 1.9, < 1.12"\n`,
      ),
    );
    expect(config.stacks[0]?.engine_version).toBe(">= 1.9, < 1.12");
  });

  it("keeps variables of any JSON type", () => {
    const config = parseOk(
      "version: 1\nenvironments:\n  dev:\n    variables:\n      count: 3\n      tags: { team: infra }\n      zones: [a, b]\n      enabled: true\n      nothing: null\n",
    );
    expect(config.environments["dev"]?.variables).toEqual({
      count: 3,
      tags: { team: "infra" },
      zones: ["a", "b"],
      enabled: true,
      nothing: null,
    });
  });

  it("reads YAML 1.2 whatever the file's %YAML directive says: no is a string", () => {
    const config = parseOk(
      "%YAML 1.1\n---\nversion: 1\nenvironments:\n  dev:\n    variables: { flag: no, day: 2001-01-01 }\n",
    );
    expect(config.environments["dev"]?.variables).toEqual({ flag: "no", day: "2001-01-01" });
  });

  it("allows a few anchors and aliases", () => {
    const config = parseOk(
      "version: 1\nenvironments:\n  dev: &vars { variables: { region: eu } }\n  prod: *vars\n",
    );
    expect(config.environments["prod"]?.variables).toEqual({ region: "eu" });
  });
});

interface BadCase {
  name: string;
  text: string;
  problems: Partial<ConfigProblem>[];
}

const badCases: BadCase[] = [
  {
    name: "an unknown top-level key, at its line",
    text: "version: 1\nstack: []\n",
    problems: [{ path: "stack", line: 2, column: 1, message: 'unknown key "stack"' }],
  },
  {
    name: "an unknown nested key",
    text: "version: 1\napply:\n  requirements: [approved]\n  aprove_on_review: true\n",
    problems: [
      { path: "apply.aprove_on_review", line: 4, message: 'unknown key "aprove_on_review"' },
    ],
  },
  {
    name: "each unknown key on its own",
    text: "version: 1\nfoo: 1\nbar: 2\n",
    problems: [
      { path: "foo", line: 2, message: 'unknown key "foo"' },
      { path: "bar", line: 3, message: 'unknown key "bar"' },
    ],
  },
  {
    name: "a missing version",
    text: "stacks: []\n",
    problems: [{ path: "version", line: 1, message: "is required" }],
  },
  {
    name: "another version",
    text: "version: 2\n",
    problems: [
      { path: "version", line: 1, message: "must be 1, the only version of bosun.yml so far" },
    ],
  },
  {
    name: "a document that is not a map",
    text: "- version: 1\n",
    problems: [{ path: "", line: 1, message: "Invalid input: expected object, received array" }],
  },
  {
    name: "a bad environment name, at its key",
    text: "version: 1\nenvironments:\n  Prod: {}\n",
    problems: [
      {
        path: "environments.Prod",
        line: 3,
        column: 3,
        message:
          "environment names are lowercase letters, digits, - and _, starting with a letter or digit",
      },
    ],
  },
  {
    name: "an environment without a map",
    text: "version: 1\nenvironments:\n  dev:\n",
    problems: [
      {
        path: "environments.dev",
        line: 3,
        message: "Invalid input: expected object, received null",
      },
    ],
  },
  {
    name: "a bad variable name",
    text: "version: 1\nenvironments:\n  dev: { variables: { 1st: x } }\n",
    problems: [
      {
        path: 'environments.dev.variables["1st"]',
        line: 3,
        message: "variable names are letters, digits, _ and -, starting with a letter or _",
      },
    ],
  },
  {
    name: "a non-finite variable",
    text: "version: 1\nenvironments:\n  dev: { variables: { x: .inf } }\n",
    problems: [{ path: "environments.dev.variables.x", line: 3 }],
  },
  {
    name: "promote_from an undeclared environment",
    text: "version: 1\nenvironments:\n  dev: {}\n  prod: { promote_from: staging }\n",
    problems: [
      {
        path: "environments.prod.promote_from",
        line: 4,
        message: 'environment "staging" is not declared under environments (declared: dev, prod)',
      },
    ],
  },
  {
    name: "promote_from itself",
    text: "version: 1\nenvironments:\n  prod: { promote_from: prod }\n",
    problems: [
      {
        path: "environments.prod.promote_from",
        message: "an environment cannot promote from itself",
      },
    ],
  },
  {
    name: "unknown and repeated requirements",
    text: "version: 1\napply:\n  requirements: [approved, reviewed]\n",
    problems: [{ path: "apply.requirements[1]", line: 3, column: 28 }],
  },
  {
    name: "a repeated requirement",
    text: "version: 1\napply:\n  requirements: [approved, approved]\n",
    problems: [
      {
        path: "apply.requirements[1]",
        message: 'requirement "approved" is already listed at [0]',
      },
    ],
  },
  ...(
    [
      ["refs/heads/main", "a full ref"],
      ["a..b", "two dots"],
      ["-main", "a leading dash"],
      ["feature/", "a trailing slash"],
      ["x.lock", ".lock"],
      ["a b", "a space"],
    ] as const
  ).map(([branch, why]): BadCase => ({
    name: `a tracked branch with ${why}`,
    text: `version: 1\ntracked_branch: "${branch}"\n`,
    problems: [
      {
        path: "tracked_branch",
        line: 2,
        message: "must be a branch name such as main or release/v2, without refs/heads/",
      },
    ],
  })),
  {
    name: "a stack without name, dir or environments",
    text: base("stacks:\n  - engine: terraform\n"),
    problems: [
      { path: "stacks[0].name", line: 6, message: "is required" },
      { path: "stacks[0].dir", line: 6, message: "is required" },
      { path: "stacks[0].environments", line: 6, message: "is required" },
    ],
  },
  ...(
    [
      ["/infra", "must be relative, without a leading /"],
      ["infra/../secrets", "must not contain .. segments"],
      ["..", "must not contain .. segments"],
      ["infra\\\\net", "must use / as the separator"],
      ["infra/", "must be a normalized path: no empty or . segments and no trailing /"],
      ["./infra", "must be a normalized path: no empty or . segments and no trailing /"],
      ["infra//net", "must be a normalized path: no empty or . segments and no trailing /"],
      ["", "must not be empty"],
    ] as const
  ).map(([dir, message]): BadCase => ({
    name: `the dir "${dir}"`,
    text: base(`stacks:\n  - name: s\n    dir: "${dir}"\n    environments: [dev]\n`),
    problems: [{ path: "stacks[0].dir", line: 7, column: 5, message }],
  })),
  ...(
    [
      ["env/${env}.tfvars", "only ${environment} is substituted"],
      [
        "../../common.tfvars",
        "from dir x it lies outside the repository; var files are read from the repository only",
      ],
      ["env/../common.tfvars", ".. segments may only lead the path"],
      ["/etc/passwd", "must be relative, without a leading /"],
      [".", "must name a file"],
    ] as const
  ).map(([file, message]): BadCase => ({
    name: `the var file "${file}"`,
    text: base(
      `stacks:\n  - name: s\n    dir: x\n    environments: [dev]\n    var_files: ["${file}"]\n`,
    ),
    problems: [{ path: "stacks[0].var_files[0]", line: 9, message }],
  })),
  {
    name: "an engine_version that is no version constraint",
    text: base(
      `stacks:\n  - name: s\n    dir: x\n    environments: [dev]\n    engine_version: "~> 1.11,"\n`,
    ),
    problems: [
      {
        path: "stacks[0].engine_version",
        line: 9,
        message:
          '"" is not a version constraint: write an operator (=, !=, >, >=, <, <=, ~>) and a version such as 1.11 or 1.11.5, terms separated by commas',
      },
    ],
  },
  ...(
    [
      ["/x/*.tf", "patterns are relative to the stack's dir: no /"],
      [
        "../modules/**",
        "patterns are relative to the stack's dir and cannot reach outside it with ..",
      ],
      ["!../x", "patterns are relative to the stack's dir and cannot reach outside it with .."],
      ["", "a pattern must not be empty"],
    ] as const
  ).map(([pattern, message]): BadCase => ({
    name: `the pattern "${pattern}"`,
    text: base(
      `stacks:\n  - name: s\n    dir: x\n    environments: [dev]\n    when_modified: ["${pattern}"]\n`,
    ),
    problems: [{ path: "stacks[0].when_modified[0]", line: 9, message }],
  })),
  {
    name: "an unknown engine",
    text: base("stacks:\n  - name: s\n    dir: x\n    engine: pulumi\n    environments: [dev]\n"),
    problems: [
      {
        path: "stacks[0].engine",
        line: 8,
        message: 'Invalid option: expected one of "opentofu"|"terraform"|"terragrunt"',
      },
    ],
  },
  {
    name: "a stack without environments",
    text: base("stacks:\n  - name: s\n    dir: x\n    environments: []\n"),
    problems: [
      {
        path: "stacks[0].environments",
        line: 8,
        message: "a stack needs at least one environment",
      },
    ],
  },
  {
    name: "a repeated environment in a stack",
    text: base("stacks:\n  - name: s\n    dir: x\n    environments: [dev, dev]\n"),
    problems: [
      {
        path: "stacks[0].environments[1]",
        line: 8,
        column: 25,
        message: 'environment "dev" is already listed at [0]',
      },
    ],
  },
  {
    name: "an undeclared environment in a stack",
    text: base("stacks:\n  - name: s\n    dir: x\n    environments:\n      - dev\n      - stage\n"),
    problems: [
      {
        path: "stacks[0].environments[1]",
        line: 10,
        column: 9,
        message: 'environment "stage" is not declared under environments (declared: dev, prod)',
      },
    ],
  },
  {
    name: "a bad stack name",
    text: base("stacks:\n  - name: My Stack\n    dir: x\n    environments: [dev]\n"),
    problems: [
      {
        path: "stacks[0].name",
        line: 6,
        message:
          "stack names are lowercase letters, digits, - and _, starting with a letter or digit",
      },
    ],
  },
  {
    name: "a stack name over 64 characters",
    text: base(`stacks:\n  - name: ${"a".repeat(65)}\n    dir: x\n    environments: [dev]\n`),
    problems: [{ path: "stacks[0].name", message: "stack names have at most 64 characters" }],
  },
  {
    name: "a repeated stack name",
    text: base(
      "stacks:\n  - name: s\n    dir: x\n    environments: [dev]\n  - name: s\n    dir: y\n    environments: [dev]\n",
    ),
    problems: [
      { path: "stacks[1].name", line: 9, message: 'stack "s" is already declared at stacks[0]' },
    ],
  },
  {
    name: "a dependency on a stack that does not exist",
    text: base(
      "stacks:\n  - name: app\n    dir: x\n    environments: [dev]\n    depends_on:\n      - stack: netwrok\n",
    ),
    problems: [
      {
        path: "stacks[0].depends_on[0].stack",
        line: 10,
        column: 9,
        message: 'no stack is named "netwrok" (stacks: app)',
      },
    ],
  },
  {
    name: "a dependency on itself",
    text: base(
      "stacks:\n  - name: app\n    dir: x\n    environments: [dev]\n    depends_on: [{ stack: app }]\n",
    ),
    problems: [
      {
        path: "stacks[0].depends_on[0].stack",
        line: 9,
        message: "a stack cannot depend on itself",
      },
    ],
  },
  {
    name: "an upstream missing from the downstream's environments, naming them",
    text: base(
      "stacks:\n  - name: network\n    dir: n\n    environments: [dev]\n  - name: app\n    dir: a\n    environments: [dev, prod]\n    depends_on: [{ stack: network }]\n",
    ),
    problems: [
      {
        path: "stacks[1].depends_on[0].stack",
        line: 12,
        message:
          'upstream "network" does not run in prod, where "app" does (network runs in: dev); an upstream must run in every environment of its downstream',
      },
    ],
  },
  {
    name: "a dependency listed twice",
    text: base(
      "stacks:\n  - name: network\n    dir: n\n    environments: [dev]\n  - name: app\n    dir: a\n    environments: [dev]\n    depends_on: [{ stack: network }, { stack: network }]\n",
    ),
    problems: [
      {
        path: "stacks[1].depends_on[1].stack",
        line: 12,
        message: '"network" is already listed at depends_on[0]',
      },
    ],
  },
  {
    name: "an input fed by two upstreams",
    text: base(
      "stacks:\n  - name: network\n    dir: n\n    environments: [dev]\n  - name: dns\n    dir: d\n    environments: [dev]\n  - name: app\n    dir: a\n    environments: [dev]\n    depends_on:\n      - { stack: network, inputs: { vpc_id: id } }\n      - { stack: dns, inputs: { vpc_id: vpc } }\n",
    ),
    problems: [
      {
        path: "stacks[2].depends_on[1].inputs.vpc_id",
        line: 17,
        message: 'input "vpc_id" is already fed by "network" (depends_on[0])',
      },
    ],
  },
  {
    name: "a bad input or output name",
    text: base(
      "stacks:\n  - name: network\n    dir: n\n    environments: [dev]\n  - name: app\n    dir: a\n    environments: [dev]\n    depends_on: [{ stack: network, inputs: { vpc_id: vpc.id } }]\n",
    ),
    problems: [
      {
        path: "stacks[1].depends_on[0].inputs.vpc_id",
        message: "output names are letters, digits, _ and -, starting with a letter or _",
      },
    ],
  },
  {
    name: "a two-stack cycle, named",
    text: base(
      "stacks:\n  - name: network\n    dir: n\n    environments: [dev]\n    depends_on: [{ stack: app }]\n  - name: app\n    dir: a\n    environments: [dev]\n    depends_on: [{ stack: network }]\n",
    ),
    problems: [
      {
        path: "stacks[0].depends_on[0].stack",
        line: 9,
        message: "dependency cycle: network → app → network",
      },
    ],
  },
  {
    name: "a three-stack cycle, named from its first-declared stack",
    text: base(
      "stacks:\n  - name: a\n    dir: a\n    environments: [dev]\n    depends_on: [{ stack: c }]\n  - name: b\n    dir: b\n    environments: [dev]\n    depends_on: [{ stack: a }]\n  - name: c\n    dir: c\n    environments: [dev]\n    depends_on: [{ stack: x }, { stack: b }]\n",
    ),
    problems: [
      {
        path: "stacks[0].depends_on[0].stack",
        line: 9,
        message: "dependency cycle: a → c → b → a",
      },
      { path: "stacks[2].depends_on[0].stack", message: 'no stack is named "x" (stacks: a, b, c)' },
    ],
  },
  {
    name: "a policy with both deny and warn",
    text: 'version: 1\npolicies:\n  - name: p\n    deny: "true"\n    warn: "true"\n',
    problems: [
      {
        path: "policies[0]",
        line: 3,
        message: "a policy has either deny or warn, not both: make it two policies",
      },
    ],
  },
  {
    name: "a policy with neither",
    text: "version: 1\npolicies:\n  - name: p\n    message: hi\n",
    problems: [{ path: "policies[0]", line: 3, message: "a policy needs one of deny or warn" }],
  },
  {
    name: "a policy with an empty expression",
    text: 'version: 1\npolicies:\n  - name: p\n    deny: "  "\n',
    problems: [{ path: "policies[0].deny", line: 4, message: "the expression must not be empty" }],
  },
  {
    name: "a CEL syntax error in deny, at the value's line with the column in the expression",
    text: 'version: 1\npolicies:\n  - name: p\n    message: no\n    deny: "plan.x =="\n',
    problems: [
      {
        path: "policies[0].deny",
        line: 5,
        message: 'CEL syntax error at column 8 (near "=="): found = but expecting end of input',
      },
    ],
  },
  {
    name: "a CEL syntax error in a multi-line warn, with its line in the expression",
    text: "version: 1\npolicies:\n  - name: p\n    warn: |\n      run.kind == 'proposed'\n        && &\n",
    problems: [
      {
        path: "policies[0].warn",
        line: 4,
        message:
          'CEL syntax error at line 2, column 3 (near "&& &"): found & but expecting end of input',
      },
    ],
  },
  {
    name: "CEL problems in several policies, each at its own line",
    text: 'version: 1\npolicies:\n  - { name: a, deny: "plan.resource_changes.exists(rc, " }\n  - { name: b, warn: "environment.production" }\n  - { name: c, warn: "size(plan) >" }\n',
    problems: [
      {
        path: "policies[0].deny",
        line: 3,
        // The schema trims the expression before it is parsed: the trailing space is gone.
        message:
          'CEL syntax error at column 22 (near ".exists(rc,"): found . but expecting end of input',
      },
      {
        path: "policies[2].warn",
        line: 5,
        message: 'CEL syntax error at column 12 (near ">"): found > but expecting end of input',
      },
    ],
  },
  {
    name: "a misused macro",
    text: "version: 1\npolicies:\n  - name: p\n    deny: \"exists(rc, rc.type == 'x')\"\n",
    problems: [
      {
        path: "policies[0].deny",
        line: 4,
        message:
          "unknown function exists at column 1 (near \"exists(rc, rc.type =…\"): exists() is called on a list or map with a variable name and an expression, as in plan.resource_changes.exists(rc, rc.mode == 'managed')",
      },
    ],
  },
  {
    name: "unknown variables, one problem each",
    text: 'version: 1\npolicies:\n  - name: p\n    deny: "plna.resource_changes == [] || enviroment.production"\n',
    problems: [
      {
        path: "policies[0].deny",
        line: 4,
        message:
          'unknown variable plna at column 1 (near "plna.resource_change…"): a policy reads plan, scan, component, environment, run and the variables of the comprehensions around it',
      },
      {
        path: "policies[0].deny",
        line: 4,
        message:
          'unknown variable enviroment at column 32 (near "enviroment.productio…"): a policy reads plan, scan, component, environment, run and the variables of the comprehensions around it',
      },
    ],
  },
  {
    name: "an expression over the length limit, said once",
    text: `version: 1\npolicies:\n  - name: p\n    deny: "${"x".repeat(4097)}"\n`,
    problems: [
      { path: "policies[0].deny", line: 4, message: "the expression has at most 4096 characters" },
    ],
  },
  {
    name: "a repeated policy name",
    text: 'version: 1\npolicies:\n  - { name: p, deny: "true" }\n  - { name: p, warn: "true" }\n',
    problems: [
      {
        path: "policies[1].name",
        line: 4,
        message: 'policy "p" is already declared at policies[0]',
      },
    ],
  },
];

describe("parseRepoConfig: problems", () => {
  it.each(badCases)("reports $name", ({ text, problems }) => {
    const found = problemsOf(text);
    expect(found).toHaveLength(problems.length);
    problems.forEach((problem, index) => expect(found[index]).toMatchObject(problem));
  });

  it("reports every problem at once, schema and cross-field alike, sorted by line", () => {
    const problems = problemsOf(`version: 1
environments:
  dev: {}
apply:
  requirements: [approvd]
stacks:
  - name: network
    dir: /abs
    environments: [dev, prod]
    depends_on: [{ stack: app }]
  - name: app
    dir: app
    engine: pulumi
    environments: [dev]
    depends_on: [{ stack: network }]
policies:
  - name: p
`);
    expect(problems.map(({ path, line }) => [path, line])).toEqual([
      ["apply.requirements[0]", 5],
      ["stacks[0].dir", 8],
      ["stacks[0].environments[1]", 9],
      ["stacks[0].depends_on[0].stack", 10],
      ["stacks[0].depends_on[0].stack", 10],
      ["stacks[1].engine", 13],
      ["policies[0]", 17],
    ]);
    expect(problems.map((problem) => problem.message)).toContain(
      "dependency cycle: network → app → network",
    );
  });

  it("names each cycle once, however many stacks share it", () => {
    const problems = problemsOf(
      base(`stacks:
  - { name: a, dir: a, environments: [dev], depends_on: [{ stack: b }, { stack: c }] }
  - { name: b, dir: b, environments: [dev], depends_on: [{ stack: a }] }
  - { name: c, dir: c, environments: [dev], depends_on: [{ stack: a }] }
`),
    );
    expect(problems.map(({ path, message }) => [path, message])).toEqual([
      ["stacks[0].depends_on[0].stack", "dependency cycle: a → b → a"],
      ["stacks[0].depends_on[1].stack", "dependency cycle: a → c → a"],
    ]);
  });

  it("follows a dependency chain of thousands of stacks without overflowing", () => {
    const count = 5000;
    const stacks = Array.from(
      { length: count },
      (_, i) =>
        `  - { name: s${i}, dir: d, environments: [dev], depends_on: [{ stack: s${(i + 1) % count} }] }`,
    );
    const problems = problemsOf(base(`stacks:\n${stacks.join("\n")}\n`));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: "stacks[0].depends_on[0].stack", line: 6 });
    expect(problems[0]?.message).toMatch(/^dependency cycle: s0 → s1 → s2 → .* → s4999 → s0$/);
  });

  it("places a problem inside an aliased node at the anchor", () => {
    const problems = problemsOf(
      "version: 1\nenvironments:\n  dev: &e { variables: { 1x: a } }\n  prod: *e\n",
    );
    expect(problems).toEqual([
      expect.objectContaining({ path: 'environments.dev.variables["1x"]', line: 3 }),
      expect.objectContaining({ path: 'environments.prod.variables["1x"]', line: 3 }),
    ]);
  });
});

describe("parseRepoConfig: hostile or broken YAML", () => {
  it.each([
    ["a syntax error", "version: 1\nstacks: [a, b\n", 3, /indented|flow/i],
    ["a duplicate key", "version: 1\nversion: 1\n", 2, /unique/i],
    ["a second document", "version: 1\n---\nversion: 1\n", 2, /multiple documents/i],
    ["an unknown tag", "version: 1\ntracked_branch: !env BRANCH\n", 2, /tag/i],
    ["a YAML 1.1 tag", "version: 1\nx: !!binary aGVsbG8=\n", 2, /tag/i],
    ["a list as a key", "version: 1\n? [a, b]\n: 1\n", 2, /plain scalars/],
    ["__proto__ as a key", "version: 1\nenvironments:\n  __proto__: {}\n", 3, /__proto__/],
    ["an unknown anchor", "version: 1\ntracked_branch: *nope\n", 2, /alias|anchor/i],
  ])("reports %s with its line", (_, text, line, message) => {
    const problems = problemsOf(text);
    expect(problems[0]).toMatchObject({ line });
    expect(problems[0]?.message).toMatch(message);
  });

  it("refuses a billion laughs", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      levels.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    const problems = problemsOf(`version: 1\n${levels.join("\n")}\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: "", line: 3 });
    expect(problems[0]?.message).toMatch(/resource exhaustion/);
  });

  it.each([
    ["a little over the limit", 65],
    ["deep enough to exhaust the parser's stack", 50_000],
  ])("refuses lists nested %s, with the line", (_, depth) => {
    const problems = problemsOf(
      `version: 1\nenvironments:\n  dev:\n    variables:\n      x: ${"[".repeat(depth)}${"]".repeat(depth)}\n`,
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: "", line: 5 });
    expect(problems[0]?.message).toMatch(/nested (more than 64 levels deep|too deeply)/);
  });

  it("refuses a file over 1 MB before parsing it", () => {
    const problems = problemsOf(`version: 1\n# ${"x".repeat(MAX_CONFIG_BYTES)}\n`);
    expect(problems).toEqual([
      {
        path: "",
        line: undefined,
        column: undefined,
        message: `bosun.yml is ${MAX_CONFIG_BYTES + 14} bytes; the limit is ${MAX_CONFIG_BYTES}`,
      },
    ]);
  });

  it.each([
    ["empty", ""],
    ["only comments", "# nothing yet\n"],
  ])("says when the file is %s, naming it", (_, text) => {
    const result = parseRepoConfig(text, ".github/bosun.yml");
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          path: "",
          line: 1,
          column: 1,
          message: ".github/bosun.yml is empty; it needs at least version: 1",
        },
      ],
    });
  });

  it("reads YAML 1.1's merge key as the unknown key it is in YAML 1.2", () => {
    const problems = problemsOf("version: 1\nbase: &b { x: 1 }\napply:\n  <<: *b\n");
    expect(problems.map((problem) => problem.message)).toEqual([
      'unknown key "base"',
      'unknown key "<<"',
    ]);
  });
});

describe("configJsonSchema", () => {
  it("matches the committed schema/bosun.schema.json", () => {
    const committed: unknown = JSON.parse(
      readFileSync(new URL("../../../schema/bosun.schema.json", import.meta.url), "utf8"),
    );
    expect(
      committed,
      "schema/bosun.schema.json is stale: run npx tsx scripts/generate-config-schema.ts",
    ).toEqual(configJsonSchema());
  });

  it("describes every field", () => {
    const undescribed: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) {
        node.forEach((item, index) => walk(item, `${at}[${index}]`));
        return;
      }
      if (node === null || typeof node !== "object") return;
      const record = node as Record<string, unknown>;
      const properties = record["properties"];
      if (properties !== null && typeof properties === "object") {
        for (const [key, value] of Object.entries(properties)) {
          if (typeof (value as Record<string, unknown>)["description"] !== "string") {
            undescribed.push(`${at}.${key}`);
          }
        }
      }
      for (const [key, value] of Object.entries(record)) walk(value, `${at}.${key}`);
    };
    walk(configJsonSchema(), "");
    expect(undescribed).toEqual([]);
  });

  it("describes the file as a person writes it: defaults optional, unknown keys refused", () => {
    const schema = configJsonSchema();
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      title: "bosun.yml",
      required: ["version"],
      additionalProperties: false,
    });
  });
});

describe("splitTrust", () => {
  const head = parseOk(`version: 1
tracked_branch: attacker
environments:
  dev: { variables: { region: eu-west-2 } }
  prod: { variables: { region: eu-west-2 }, production: false }
  qa: { variables: { region: us-east-1 }, production: true, promote_from: dev }
apply:
  requirements: []
  approve_on_review: true
  allow_forks: true
stacks:
  - name: network
    dir: infra/network-v2
    environments: [dev, prod]
    autodeploy: true
  - name: brand-new
    dir: infra/new
    environments: [qa]
    autodeploy: true
policies: []
`);
  const tracked = parseOk(`version: 1
tracked_branch: main
environments:
  dev: { variables: { region: eu-west-1 } }
  prod: { variables: { region: eu-west-1 }, promote_from: dev, production: true }
apply:
  requirements: [approved, undiverged]
stacks:
  - name: network
    dir: infra/network
    environments: [dev, prod]
    autodeploy: true
policies:
  - { name: no-deletes, deny: "true" }
`);

  it("takes what runs from the head and who decides from the tracked branch", () => {
    expect(splitTrust(head, tracked)).toEqual({
      ...head,
      tracked_branch: "main",
      environments: {
        dev: { variables: { region: "eu-west-2" }, production: false, promote_from: undefined },
        prod: { variables: { region: "eu-west-2" }, production: true, promote_from: "dev" },
        // Not on the tracked branch: nothing to defer to.
        qa: { variables: { region: "us-east-1" }, production: true, promote_from: "dev" },
      },
      apply: {
        requirements: ["approved", "undiverged"],
        approvals: 1,
        approve_on_review: false,
        allow_forks: false,
      },
      policies: [{ name: "no-deletes", deny: "true" }],
      stacks: [
        { ...head.stacks[0], dir: "infra/network-v2", autodeploy: true },
        // A pull request cannot switch autodeploy on for a stack of its own.
        { ...head.stacks[1], autodeploy: false },
      ],
    });
  });

  it("turns autodeploy off when the tracked branch has it off", () => {
    const trackedOff = {
      ...tracked,
      stacks: tracked.stacks.map((s) => ({ ...s, autodeploy: false })),
    };
    expect(splitTrust(head, trackedOff).stacks.map((stack) => stack.autodeploy)).toEqual([
      false,
      false,
    ]);
  });

  it("falls back to the safe defaults when the tracked branch has no bosun.yml", () => {
    const effective = splitTrust(head, undefined);
    expect(effective.apply).toEqual({
      requirements: [],
      approvals: 1,
      approve_on_review: false,
      allow_forks: false,
    });
    expect(effective.policies).toEqual([]);
    expect(effective.tracked_branch).toBeUndefined();
    expect(effective.stacks.map((stack) => stack.autodeploy)).toEqual([false, false]);
    expect(effective.environments).toEqual(head.environments);
  });

  it("does not take Object.prototype for a tracked environment called constructor", () => {
    const withConstructor = parseOk(
      "version: 1\nenvironments:\n  constructor: { production: true }\n",
    );
    expect(splitTrust(withConstructor, tracked).environments["constructor"]).toEqual({
      variables: {},
      production: true,
    });
  });

  it("never changes its inputs", () => {
    const before = structuredClone(head);
    splitTrust(head, tracked);
    expect(head).toEqual(before);
  });
});

describe("tracksEnvironment", () => {
  const tracked = parseOk(`version: 1
environments:
  dev: {}
  prod: {}
  constructor: {}
stacks:
  - name: network
    dir: infra/network
    environments: [dev, prod]
  - name: app
    dir: infra/app
    environments: [dev]
`);

  it.each([
    ["network", "dev", true],
    ["network", "prod", true],
    // prod is declared, but not for app: app@prod is a pull request's idea.
    ["app", "prod", false],
    ["network", "preview", false],
    ["brand-new", "dev", false],
    ["network", "constructor", false],
  ])("%s@%s: %s", (stack, environment, expected) => {
    expect(tracksEnvironment(tracked, stack, environment)).toBe(expected);
  });

  it("declares nothing when the tracked branch has no bosun.yml", () => {
    expect(tracksEnvironment(undefined, "network", "dev")).toBe(false);
  });
});

describe("types", () => {
  it("a parsed RepoConfig is what the domain's affectedComponents reads", () => {
    // Compile-time proof: this assignment fails to typecheck if the two drift apart.
    const definition: ConfigDefinition = parseOk(DESIGN_EXAMPLE);
    expect(definition.stacks).toHaveLength(2);
  });
});
