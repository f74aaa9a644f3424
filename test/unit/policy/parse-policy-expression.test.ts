import { describe, expect, it } from "vitest";
import {
  MAX_POLICY_EXPRESSION_LENGTH,
  parsePolicyExpression,
  type PolicyExpressionProblem,
} from "../../../src/policy/parse-policy-expression.js";

const VARIABLES_HINT =
  "a policy reads plan, scan, component, environment, run and the variables of the comprehensions around it";

const problemsOf = (source: string): readonly PolicyExpressionProblem[] => {
  const result = parsePolicyExpression(source);
  if (result.ok) throw new Error(`expected problems, ${source} parsed`);
  return result.problems;
};

describe("parsePolicyExpression: accepted", () => {
  it.each([
    "plan.resource_changes.exists(rc, 'delete' in rc.change.actions && rc.type.startsWith('aws_db'))",
    "size(plan.resource_changes.filter(rc, rc.change.actions != ['no-op'])) > 50",
    "scan.exists(f, f.kind == 'external-data-source')",
    "environment.production && run.kind == 'proposed'",
    "component.stack.matches('^net') || component.dir.endsWith('/prod')",
    "has(plan.resource_drift) && plan.resource_drift.all(d, has(d.change.before))",
    "plan.output_changes.exists(name, plan.output_changes[name].actions != ['no-op'])",
    // A comprehension variable shadows, and an inner one sees the outer one.
    "plan.resource_changes.exists(rc, rc.change.actions.exists(rc, rc == 'delete'))",
    "plan.resource_changes.all(a, plan.resource_drift.all(b, a.address != b.address))",
    "plan.resource_changes.map(rc, rc.address).exists_one(a, a == 'x')",
    "type(plan) == map && type(1) == int && type(null) == null_type && type(int) == type",
    "type(duration('1s')) == google.protobuf.Duration && duration('1h') > duration('1m')",
    "int('1') == 1 && string(1) == '1' && double(1) == 1.0 && dyn(1) == 1 && .int == int",
    "{'a': 1}.all(k, k == 'a') && [1, 2][0] == 1 && size('abc') == 3 && 'abc'.contains('b')",
    "// a comment\nrun.author == 'octocat'",
  ])("%s", (source) => {
    expect(parsePolicyExpression(source)).toMatchObject({ ok: true });
  });
});

describe("parsePolicyExpression: problems", () => {
  it.each<{ name: string; source: string; problems: PolicyExpressionProblem[] }>([
    {
      name: "a syntax error, with its column and the text there",
      source: "plan.x ==",
      problems: [
        {
          line: 1,
          column: 8,
          message: 'CEL syntax error at column 8 (near "=="): found = but expecting end of input',
        },
      ],
    },
    {
      name: "a syntax error on a later line of the expression",
      source: "run.kind == 'proposed'\n  && &",
      problems: [
        {
          line: 2,
          column: 3,
          message:
            'CEL syntax error at line 2, column 3 (near "&& &"): found & but expecting end of input',
        },
      ],
    },
    {
      name: "a long stretch the parser gave up on, cut short",
      source: "plan.resource_changes.exists(rc, rc.type == ",
      problems: [
        {
          line: 1,
          column: 22,
          message:
            'CEL syntax error at column 22 (near ".exists(rc, rc.type …"): found . but expecting end of input',
        },
      ],
    },
    {
      name: "an unknown variable",
      source: "plna.resource_changes == []",
      problems: [
        {
          line: 1,
          column: 1,
          message: `unknown variable plna at column 1 (near "plna.resource_change…"): ${VARIABLES_HINT}`,
        },
      ],
    },
    {
      name: "a comprehension's variable used outside it",
      source: "plan.resource_changes.exists(rc, true) && rc.type == 'x'",
      problems: [
        {
          line: 1,
          column: 43,
          message: `unknown variable rc at column 43 (near "rc.type == 'x'"): ${VARIABLES_HINT}`,
        },
      ],
    },
    {
      name: "a macro without its list, and nothing more about its arguments",
      source: "exists(rc, rc.type == 'x')",
      problems: [
        {
          line: 1,
          column: 1,
          message:
            "unknown function exists at column 1 (near \"exists(rc, rc.type =…\"): exists() is called on a list or map with a variable name and an expression, as in plan.resource_changes.exists(rc, rc.mode == 'managed')",
        },
      ],
    },
    {
      name: "has() on a variable",
      source: "has(plan)",
      problems: [
        {
          line: 1,
          column: 1,
          message:
            'unknown function has at column 1 (near "has(plan)"): has() takes a field selection, as in has(plan.resource_drift)',
        },
      ],
    },
    {
      name: "functions CEL does not have, each once, in order",
      source: "plan.lower() == 'x' || fetch('x') || plan.lower() == 'y'",
      problems: [
        {
          line: 1,
          column: 5,
          message: "unknown function lower at column 5 (near \".lower() == 'x' || f…\")",
        },
        {
          line: 1,
          column: 24,
          message: "unknown function fetch at column 24 (near \"fetch('x') || plan.l…\")",
        },
      ],
    },
    {
      name: "nesting deeper than the parser's stack",
      source: `${"(".repeat(1000)}true${")".repeat(1000)}`,
      problems: [{ line: 1, column: 1, message: "the expression is nested too deeply to parse" }],
    },
    {
      name: "an expression over the length limit",
      source: "x".repeat(MAX_POLICY_EXPRESSION_LENGTH + 1),
      problems: [
        {
          line: 1,
          column: 1,
          message: `the expression has ${MAX_POLICY_EXPRESSION_LENGTH + 1} characters; the limit is ${MAX_POLICY_EXPRESSION_LENGTH}`,
        },
      ],
    },
  ])("$name", ({ source, problems }) => {
    expect(problemsOf(source)).toEqual(problems);
  });

  it("parses an expression of exactly the length limit", () => {
    const source = `${"true && ".repeat(511)}true`.padEnd(MAX_POLICY_EXPRESSION_LENGTH, " ");
    expect(source).toHaveLength(MAX_POLICY_EXPRESSION_LENGTH);
    expect(parsePolicyExpression(source)).toMatchObject({ ok: true });
  });
});
