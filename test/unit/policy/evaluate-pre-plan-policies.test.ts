import { describe, expect, it } from "vitest";
import type { PolicyConfig } from "../../../src/config/repo-config.js";
import { evaluatePrePlanPolicies } from "../../../src/policy/evaluate-pre-plan-policies.js";
import { readsPlan } from "../../../src/policy/reads-plan.js";

const context = {
  scan: [
    {
      kind: "local-exec",
      file: "infra/main.tf",
      name: "null_resource.x",
      detail: 'command = "id"',
    },
  ],
  component: { stack: "network", environment: "dev", dir: "infra" },
  environment: { name: "dev", production: false },
  run: { kind: "proposed" as const, trigger: "pull_request", author: "octocat" },
};

describe("readsPlan", () => {
  it.each([
    ["plan.resource_changes.exists(rc, rc.type == 'x')", true],
    ["size(scan) > 0 && size(plan.resource_changes) > 0", true],
    ["scan.exists(f, f.kind == 'local-exec')", false],
    ["environment.production && scan.exists(f, f.kind == 'provider')", false],
    ["run.author == 'octocat'", false],
    // A comprehension variable of that name counts: such a rule waits for the plan.
    ["scan.exists(plan, plan.kind == 'x')", true],
    // Not CEL: its error is a denial, before the engine.
    ["scan.exists(", false],
  ])("%s reads the plan: %s", (source, expected) => {
    expect(readsPlan(source)).toBe(expected);
  });
});

describe("evaluatePrePlanPolicies", () => {
  const policies: PolicyConfig[] = [
    { name: "no-local-exec", deny: "scan.exists(f, f.kind == 'local-exec')" },
    { name: "no-deletes", deny: "plan.resource_changes.exists(rc, 'delete' in rc.change.actions)" },
    { name: "empty-plan", deny: "size(plan.resource_changes) == 0" },
    { name: "scan-warning", warn: "size(scan) > 0", message: "the scan found something" },
  ];

  it("decides only the rules that do not read the plan", () => {
    const verdict = evaluatePrePlanPolicies(policies, context);
    expect(verdict.denials).toEqual([
      { policy: "no-local-exec", message: "policy no-local-exec denied this plan" },
    ]);
    // `empty-plan` would hold against the stand-in empty plan: it is left for after the plan.
    expect(verdict.denials.map((denial) => denial.policy)).not.toContain("empty-plan");
    expect(verdict.warnings).toEqual([
      { policy: "scan-warning", message: "the scan found something" },
    ]);
  });

  it("denies on a broken rule before the plan, never passes it", () => {
    const verdict = evaluatePrePlanPolicies(
      [{ name: "broken", deny: "scan.kind == 'x'" }],
      context,
    );
    expect(verdict.denials).toHaveLength(1);
    expect(verdict.errors[0]?.message).toMatch(/^policy broken could not be evaluated/);
  });

  it("runs the README's example before the plan", () => {
    const example: PolicyConfig = {
      name: "no-code-at-plan-time",
      deny: "scan.exists(f, f.kind in ['external-data-source', 'local-exec', 'remote-module', 'unparsable'])",
    };
    expect(evaluatePrePlanPolicies([example], context).denials).toHaveLength(1);
  });

  it("lets a clean scan through", () => {
    expect(evaluatePrePlanPolicies(policies, { ...context, scan: [] }).denials).toEqual([]);
  });
});
