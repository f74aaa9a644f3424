import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import { parseRepoConfig } from "../../../src/config/parse-repo-config.js";
import { type PolicyConfig } from "../../../src/config/repo-config.js";
import {
  DEFAULT_POLICY_LIMITS,
  evaluatePolicies,
  type PolicyInput,
  type PolicyScanFinding,
  type PolicyVerdict,
} from "../../../src/policy/evaluate-policies.js";
import type { HclFinding } from "../../../src/domain/hcl-finding.js";
import {
  parsePlanJson,
  type PlanJson,
  type ResourceChange,
} from "../../../src/runner/plan-json.js";

const fixtureDir = new URL("../../fixtures/plan-json/", import.meta.url);
const fixtureNames = readdirSync(fixtureDir).filter((name) => name.endsWith(".json"));
/** A fresh copy each time, parsed as the runner parses it: tests edit their copies. */
const fixture = (name: string): PlanJson =>
  parsePlanJson(readFileSync(new URL(name, fixtureDir), "utf8"));

/** docs/design.md's two example policies, loaded through bosun.yml's parser. */
const DESIGN_POLICIES = (() => {
  const result = parseRepoConfig(`version: 1
policies:
  - name: no-database-deletes
    deny: "plan.resource_changes.exists(rc, 'delete' in rc.change.actions && rc.type.startsWith('aws_db'))"
  - name: big-change
    warn: "size(plan.resource_changes.filter(rc, rc.change.actions != ['no-op'])) > 50"
`);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config.policies;
})();

const inputFor = (
  plan: PolicyInput["plan"],
  overrides: Partial<PolicyInput> = {},
): PolicyInput => ({
  plan,
  scan: [],
  component: { stack: "network", environment: "dev", dir: "infra/network" },
  environment: { name: "dev", production: false },
  run: { kind: "proposed", trigger: "comment", author: "octocat" },
  ...overrides,
});

const EMPTY_PLAN = { resource_changes: [] };
const NOTHING: PolicyVerdict = { denials: [], warnings: [], errors: [] };

/** `count` copies of a fixture's resource change with the given actions, each its own address. */
function changes(count: number, actions: string[]): ResourceChange[] {
  const [template] = fixture("terraform-1.14.9_replace-delete-update-check.json").resource_changes;
  if (template === undefined) throw new Error("fixture has no resource changes");
  return Array.from({ length: count }, (_, index) => ({
    ...template,
    address: `null_resource.item[${index}]`,
    index,
    change: { ...template.change, actions },
  }));
}

describe("evaluatePolicies: docs/design.md's example policies", () => {
  it.each(fixtureNames)("neither denies nor warns on %s", (name) => {
    expect(evaluatePolicies(DESIGN_POLICIES, inputFor(fixture(name)))).toEqual(NOTHING);
  });

  it("denies deleting an aws_db_* resource, and only that", () => {
    const plan = fixture("tofu-equivalence_destroy-mode-complex-normalized.json");
    expect(plan.resource_changes.map((rc) => rc.change.actions)).toEqual([["delete"]]);
    // A delete of another type passes.
    expect(evaluatePolicies(DESIGN_POLICIES, inputFor(plan))).toEqual(NOTHING);

    const database = plan.resource_changes.map((rc) => ({ ...rc, type: "aws_db_instance" }));
    expect(
      evaluatePolicies(DESIGN_POLICIES, inputFor({ ...plan, resource_changes: database })),
    ).toEqual({
      denials: [
        { policy: "no-database-deletes", message: "policy no-database-deletes denied this plan" },
      ],
      warnings: [],
      errors: [],
    });
  });

  it("denies replacing an aws_db_* resource (delete then create)", () => {
    const plan = fixture("terraform-1.14.9_replace-delete-update-check.json");
    const edited = plan.resource_changes.map((rc) =>
      rc.change.actions.join() === "delete,create" ? { ...rc, type: "aws_db_cluster" } : rc,
    );
    const verdict = evaluatePolicies(
      DESIGN_POLICIES,
      inputFor({ ...plan, resource_changes: edited }),
    );
    expect(verdict.denials.map((denial) => denial.policy)).toEqual(["no-database-deletes"]);
  });

  it("does not deny creating or updating an aws_db_* resource", () => {
    const plan = fixture("tofu-1.11.6_drift-update.json");
    const edited = plan.resource_changes.map((rc) => ({ ...rc, type: "aws_db_instance" }));
    expect(
      evaluatePolicies(DESIGN_POLICIES, inputFor({ ...plan, resource_changes: edited })),
    ).toEqual(NOTHING);
  });

  it.each([
    { what: "51 changes", resources: changes(51, ["update"]), warns: true },
    { what: "50 changes", resources: changes(50, ["update"]), warns: false },
    { what: "60 no-ops", resources: changes(60, ["no-op"]), warns: false },
    {
      what: "40 changes among 70 no-ops and 11 creates",
      resources: [
        ...changes(40, ["delete", "create"]),
        ...changes(70, ["no-op"]),
        ...changes(11, ["create"]),
      ],
      warns: true,
    },
  ])("big-change warns on more than 50 changes: $what → $warns", ({ resources, warns }) => {
    const verdict = evaluatePolicies(DESIGN_POLICIES, inputFor({ resource_changes: resources }));
    expect(verdict.warnings).toEqual(
      warns ? [{ policy: "big-change", message: "policy big-change warned about this plan" }] : [],
    );
    expect(verdict.denials).toEqual([]);
  });
});

describe("evaluatePolicies: what a rule reads", () => {
  const externalData: PolicyScanFinding = {
    kind: "external-data-source",
    file: "infra/network/main.tf",
    name: "data.external.lookup",
    detail: 'program = ["python3", "lookup.py"]',
  };
  const provider: PolicyScanFinding = {
    kind: "provider",
    file: "infra/network/versions.tf",
    name: "hashicorp/aws",
    detail: "aws",
  };
  const noExternal: PolicyConfig = {
    name: "no-external-data",
    deny: "scan.exists(f, f.kind == 'external-data-source')",
  };

  it.each([
    { scan: [externalData, provider], denied: true },
    { scan: [provider], denied: false },
    { scan: [], denied: false },
  ])("scan findings: denied $denied with $scan.length findings", ({ scan, denied }) => {
    const verdict = evaluatePolicies([noExternal], inputFor(EMPTY_PLAN, { scan }));
    expect(verdict.denials.length > 0).toBe(denied);
    expect(verdict.errors).toEqual([]);
  });

  it("reads every field of a finding", () => {
    const rule: PolicyConfig = {
      name: "python",
      deny: "scan.exists(f, f.file.endsWith('main.tf') && f.name.startsWith('data.external.') && f.detail.contains('python3'))",
    };
    expect(
      evaluatePolicies([rule], inputFor(EMPTY_PLAN, { scan: [externalData] })).denials,
    ).toEqual([{ policy: "python", message: "policy python denied this plan" }]);
  });

  it.each([
    { production: true, kind: "proposed", denied: true },
    { production: true, kind: "tracked", denied: false },
    { production: false, kind: "proposed", denied: false },
    { production: true, kind: "destroy", denied: false },
  ] as const)(
    "environment and run: production $production, $kind → denied $denied",
    ({ production, kind, denied }) => {
      const rule: PolicyConfig = {
        name: "no-prod-from-prs",
        deny: "environment.production && run.kind == 'proposed'",
      };
      const verdict = evaluatePolicies(
        [rule],
        inputFor(EMPTY_PLAN, {
          environment: { name: production ? "prod" : "dev", production },
          run: { kind, trigger: "comment", author: "octocat" },
        }),
      );
      expect(verdict.denials.length > 0).toBe(denied);
      expect(verdict.errors).toEqual([]);
    },
  );

  it("reads the component and the run's author and trigger", () => {
    const rule: PolicyConfig = {
      name: "who",
      warn: "component.stack == 'network' && component.environment == 'dev' && component.dir == 'infra/network' && environment.name == 'dev' && run.author == 'octocat' && run.trigger == 'comment'",
    };
    expect(evaluatePolicies([rule], inputFor(EMPTY_PLAN)).warnings).toHaveLength(1);
  });

  it("gives an absent resource_drift, output_changes and resource_changes as empty", () => {
    const rule: PolicyConfig = {
      name: "empty",
      deny: "size(plan.resource_drift) == 0 && size(plan.output_changes) == 0 && size(plan.resource_changes) == 0 && !plan.resource_drift.exists(d, true)",
    };
    expect(evaluatePolicies([rule], inputFor({})).denials).toHaveLength(1);
  });

  it("reads drift and output changes when the plan has them", () => {
    const drift: PolicyConfig = {
      name: "drift",
      warn: "plan.resource_drift.exists(d, d.change.actions == ['update'])",
    };
    const outputs: PolicyConfig = {
      name: "outputs",
      warn: "plan.output_changes.exists(name, plan.output_changes[name].actions != ['no-op'])",
    };
    expect(
      evaluatePolicies([drift, outputs], inputFor(fixture("tofu-1.11.6_drift-update.json")))
        .warnings,
    ).toEqual([{ policy: "drift", message: "policy drift warned about this plan" }]);
    expect(
      evaluatePolicies(
        [drift, outputs],
        inputFor(fixture("tofu-1.11.5_modules_replace-delete-create-outputs-update.json")),
      ).warnings,
    ).toEqual([{ policy: "outputs", message: "policy outputs warned about this plan" }]);
  });

  it("reads JSON numbers as CEL doubles, equal to ints", () => {
    const rule: PolicyConfig = {
      name: "indexed",
      deny: "plan.resource_changes.exists(rc, rc.index == 2) && size(plan.resource_changes) == 3",
    };
    expect(
      evaluatePolicies([rule], inputFor({ resource_changes: changes(3, ["create"]) })).denials,
    ).toHaveLength(1);
  });

  it("accepts a plan whose optional fields are present but undefined", () => {
    const [change] = changes(1, ["delete"]);
    if (change === undefined) throw new Error("no change");
    const plan = {
      resource_changes: [{ ...change, type: "aws_db_instance", deposed: undefined }],
      resource_drift: undefined,
    };
    expect(evaluatePolicies(DESIGN_POLICIES, inputFor(plan)).denials).toHaveLength(1);
  });
});

describe("evaluatePolicies: messages", () => {
  it("uses the policy's message when bosun.yml gives one", () => {
    const policies: PolicyConfig[] = [
      { name: "always-deny", deny: "true", message: "Ask #platform before touching this." },
      { name: "always-warn", warn: "true", message: "Look twice." },
      { name: "never", deny: "false", message: "unused" },
    ];
    expect(evaluatePolicies(policies, inputFor(EMPTY_PLAN))).toEqual({
      denials: [{ policy: "always-deny", message: "Ask #platform before touching this." }],
      warnings: [{ policy: "always-warn", message: "Look twice." }],
      errors: [],
    });
  });

  it("keeps bosun.yml's order, denials and errors together", () => {
    const policies: PolicyConfig[] = [
      { name: "first", deny: "true" },
      { name: "broken", deny: "plan.nope" },
      { name: "third", deny: "true" },
    ];
    const verdict = evaluatePolicies(policies, inputFor(EMPTY_PLAN));
    expect(verdict.denials.map((denial) => denial.policy)).toEqual(["first", "broken", "third"]);
    expect(verdict.errors.map((error) => error.policy)).toEqual(["broken"]);
  });

  it("returns nothing, cheaply, without policies", () => {
    expect(evaluatePolicies([], inputFor(EMPTY_PLAN))).toEqual(NOTHING);
  });
});

describe("evaluatePolicies: a rule without an answer denies", () => {
  const errorOf = (policy: PolicyConfig, plan: PolicyInput["plan"] = EMPTY_PLAN): string => {
    const verdict = evaluatePolicies([policy], inputFor(plan));
    expect(verdict.warnings).toEqual([]);
    expect(verdict.errors).toHaveLength(1);
    // Counted as a denial too, so a caller that reads only denials fails closed.
    expect(verdict.denials).toEqual(verdict.errors);
    // The custom message describes the rule holding, not failing.
    expect(verdict.errors[0]?.message).not.toContain("custom");
    return verdict.errors[0]?.message ?? "";
  };

  it.each([
    {
      what: "a field the plan does not have",
      policy: {
        name: "p",
        deny: "plan.resource_changes.exists(rc, rc.change.after.engine == 'mysql')",
      },
      plan: fixture("tofu-equivalence_destroy-mode-complex-normalized.json"),
      message: "policy p could not be evaluated: field not found: engine",
    },
    {
      what: "a top-level field the plan does not have",
      policy: { name: "p", deny: "plan.prior_state.values == null" },
      plan: EMPTY_PLAN,
      message: "policy p could not be evaluated: field not found: prior_state",
    },
    {
      what: "an int",
      policy: { name: "p", deny: "size(plan.resource_changes)" },
      plan: EMPTY_PLAN,
      message: "policy p could not be evaluated: it evaluated to a value of type int, not a bool",
    },
    {
      what: "a string",
      policy: { name: "p", warn: "'yes'" },
      plan: EMPTY_PLAN,
      message:
        "policy p could not be evaluated: it evaluated to a value of type string, not a bool",
    },
    {
      what: "a list",
      policy: { name: "p", deny: "plan.resource_changes" },
      plan: EMPTY_PLAN,
      message: "policy p could not be evaluated: it evaluated to a value of type list, not a bool",
    },
    {
      what: "null",
      policy: { name: "p", deny: "null" },
      plan: EMPTY_PLAN,
      message:
        "policy p could not be evaluated: it evaluated to a value of type null_type, not a bool",
    },
    {
      what: "a type error",
      policy: { name: "p", deny: "component.stack + 1 == 2" },
      plan: EMPTY_PLAN,
      message:
        "policy p could not be evaluated: found no matching overload for '_+_' applied to '(string, int)'",
    },
    {
      what: "a syntax error (a PolicyConfig not from bosun.yml)",
      policy: { name: "p", deny: "plan.x ==" },
      plan: EMPTY_PLAN,
      message:
        'policy p could not be evaluated: CEL syntax error at column 8 (near "=="): found = but expecting end of input',
    },
    {
      what: "an unknown variable",
      policy: { name: "p", deny: "plans.resource_changes == []" },
      plan: EMPTY_PLAN,
      message:
        'policy p could not be evaluated: unknown variable plans at column 1 (near "plans.resource_chang…"): a policy reads plan, scan, component, environment, run and the variables of the comprehensions around it',
    },
    {
      what: "an expression over the length limit",
      policy: { name: "p", deny: `${"true && ".repeat(600)}true` },
      plan: EMPTY_PLAN,
      message:
        "policy p could not be evaluated: the expression has 4804 characters; the limit is 4096",
    },
    {
      what: "neither deny nor warn",
      policy: { name: "p" },
      plan: EMPTY_PLAN,
      message: "policy p could not be evaluated: it has neither deny nor warn",
    },
  ] satisfies { what: string; policy: PolicyConfig; plan: PolicyInput["plan"]; message: string }[])(
    "$what",
    ({ policy, plan, message }) => {
      expect(errorOf({ ...policy, message: "custom" }, plan)).toBe(message);
    },
  );

  it("explains running out of stack on a long map or filter result", () => {
    const policy: PolicyConfig = {
      name: "p",
      deny: "plan.resource_changes.map(rc, rc.address).exists(a, a == 'x')",
    };
    expect(errorOf(policy, { resource_changes: changes(10_000, ["create"]) })).toBe(
      "policy p could not be evaluated: it ran out of stack: the expression nests too deeply, or iterates over the result of map or filter on more than a few thousand elements; test the plan's lists directly (plan.resource_changes.exists(rc, ...))",
    );
    // The same question, asked directly, is fine.
    expect(
      evaluatePolicies(
        [{ name: "p", deny: "plan.resource_changes.exists(rc, rc.address == 'x')" }],
        inputFor({ resource_changes: changes(10_000, ["create"]) }),
      ),
    ).toEqual(NOTHING);
  });

  it("denies when a warn rule fails: a broken rule never passes", () => {
    const verdict = evaluatePolicies([{ name: "w", warn: "plan.nope" }], inputFor(EMPTY_PLAN));
    expect(verdict.denials).toEqual([
      { policy: "w", message: "policy w could not be evaluated: field not found: nope" },
    ]);
    expect(verdict.warnings).toEqual([]);
  });

  it("never shows a value the plan marks sensitive", () => {
    const plan = fixture("tofu-1.11.5_sensitive-replace-sensitive-output.json");
    const policy: PolicyConfig = {
      name: "p",
      deny: "plan.resource_changes.exists(rc, int(rc.change.after.content) > 0)",
    };
    const message = errorOf(policy, plan);
    expect(message).toMatch(/^policy p could not be evaluated: Cannot convert \*\*\* to a BigInt$/);
    expect(message).not.toContain("updated-secret-value");
  });
});

describe("evaluatePolicies: bounded work", () => {
  const nested: PolicyConfig = {
    name: "pairs",
    deny: "plan.resource_changes.all(a, plan.resource_changes.all(b, a.address != b.address || a == b))",
  };
  const hundred = { resource_changes: changes(100, ["update"]) };

  it("evaluates a pairwise rule within the default budget", () => {
    expect(evaluatePolicies([nested], inputFor(hundred))).toEqual({
      denials: [{ policy: "pairs", message: "policy pairs denied this plan" }],
      warnings: [],
      errors: [],
    });
  });

  it("stops a rule past its step budget, deterministically", () => {
    // 100 outer steps and 100 × 100 inner ones.
    const limits = { ...DEFAULT_POLICY_LIMITS, maxSteps: 10_099 };
    const verdict = evaluatePolicies([nested], inputFor(hundred), limits);
    expect(verdict.errors).toEqual([
      {
        policy: "pairs",
        message:
          "policy pairs could not be evaluated: it took more than 10099 steps (elements visited by exists, all, map, filter and the like); nested comprehensions over a large plan multiply",
      },
    ]);
    expect(evaluatePolicies([nested], inputFor(hundred), { ...limits, maxSteps: 10_100 })).toEqual(
      evaluatePolicies([nested], inputFor(hundred)),
    );
  });

  it("keeps a boolean that does not depend on the part that ran out", () => {
    const policy: PolicyConfig = { name: "p", deny: `${nested.deny ?? ""} || true` };
    const limits = { ...DEFAULT_POLICY_LIMITS, maxSteps: 10 };
    expect(evaluatePolicies([policy], inputFor(hundred), limits)).toEqual({
      denials: [{ policy: "p", message: "policy p denied this plan" }],
      warnings: [],
      errors: [],
    });
  });

  it("stops a rule past its timeout, and evaluates the next one normally", () => {
    const slow: PolicyConfig = {
      name: "slow",
      deny: "plan.resource_changes.all(a, plan.resource_changes.all(b, plan.resource_changes.all(c, true)))",
    };
    const limits = { maxSteps: Number.MAX_SAFE_INTEGER, timeoutMs: 50 };
    const started = performance.now();
    const verdict = evaluatePolicies(
      [slow, { name: "quick", warn: "true" }],
      inputFor(hundred),
      limits,
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(verdict).toEqual({
      denials: [
        {
          policy: "slow",
          message: "policy slow could not be evaluated: it took longer than 50 ms",
        },
      ],
      warnings: [{ policy: "quick", message: "policy quick warned about this plan" }],
      errors: [
        {
          policy: "slow",
          message: "policy slow could not be evaluated: it took longer than 50 ms",
        },
      ],
    });
  });
});

describe("types", () => {
  it("takes the scanner's findings and the runner's parsed plan as they are", () => {
    expectTypeOf<HclFinding>().toExtend<PolicyScanFinding>();
    expectTypeOf<PlanJson>().toExtend<PolicyInput["plan"]>();
  });
});
