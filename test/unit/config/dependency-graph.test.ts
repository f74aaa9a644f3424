import { describe, expect, it } from "vitest";
import { parseRepoConfig, undeclaredInputProblems } from "../../../src/config/parse-repo-config.js";

const stacks = (body: string) => `version: 1
environments:
  dev: {}
  prod: {}
stacks:
${body}`;

function problemsOf(text: string) {
  const parsed = parseRepoConfig(text);
  if (parsed.ok) return [];
  return parsed.problems.map(({ path, line, message }) => ({ path, line, message }));
}

describe("the dependency graph of bosun.yml", () => {
  it("accepts two- and three-level chains and a diamond", () => {
    const text = stacks(`  - { name: network, dir: n, environments: [dev, prod] }
  - name: db
    dir: d
    environments: [dev, prod]
    depends_on: [{ stack: network, inputs: { vpc_id: vpc_id } }]
  - name: cache
    dir: c
    environments: [dev]
    depends_on: [{ stack: network }]
  - name: app
    dir: a
    environments: [dev]
    depends_on: [{ stack: db }, { stack: cache }]
`);
    expect(problemsOf(text)).toEqual([]);
  });

  it("names a cycle, in the direction of depends_on, at the line that closes it", () => {
    const text = stacks(`  - name: network
    dir: n
    environments: [dev]
    depends_on: [{ stack: app }]
  - name: db
    dir: d
    environments: [dev]
    depends_on: [{ stack: network }]
  - name: app
    dir: a
    environments: [dev]
    depends_on: [{ stack: db }]
`);
    expect(problemsOf(text)).toEqual([
      {
        path: "stacks[0].depends_on[0].stack",
        line: 9,
        message: "dependency cycle: network → app → db → network",
      },
    ]);
  });

  it("refuses an unknown upstream and one missing from an environment of its downstream", () => {
    const text = stacks(`  - { name: network, dir: n, environments: [dev] }
  - name: app
    dir: a
    environments: [dev, prod]
    depends_on: [{ stack: network }, { stack: dns }]
`);
    expect(problemsOf(text)).toEqual([
      {
        path: "stacks[1].depends_on[0].stack",
        line: 10,
        message: expect.stringMatching(/upstream "network" does not run in prod/),
      },
      {
        path: "stacks[1].depends_on[1].stack",
        line: 10,
        message: 'no stack is named "dns" (stacks: network, app)',
      },
    ]);
  });
});

describe("undeclaredInputProblems", () => {
  const text = stacks(`  - { name: network, dir: infra/network, environments: [dev] }
  - name: app
    dir: infra/app
    environments: [dev]
    depends_on:
      - stack: network
        inputs:
          vpc_id: vpc_id
          subnet: subnet_id
`);
  const parsed = parseRepoConfig(text);
  if (!parsed.ok) throw new Error("the fixture must parse");

  it("names each input the downstream does not declare, at its line", () => {
    const problems = undeclaredInputProblems(text, parsed.config, (dir) =>
      dir === "infra/app" ? ["region", "vpc_id"] : [],
    );
    expect(problems).toEqual([
      {
        path: "stacks[1].depends_on[0].inputs.subnet",
        line: 14,
        column: 11,
        message:
          'input "subnet" is not a variable of stack "app": infra/app declares "region", "vpc_id"',
      },
    ]);
  });

  it("says nothing when every input is declared, or when the source could not be read", () => {
    expect(undeclaredInputProblems(text, parsed.config, () => ["subnet", "vpc_id"])).toEqual([]);
    expect(undeclaredInputProblems(text, parsed.config, () => undefined)).toEqual([]);
  });
});
