import { describe, expect, it } from "vitest";
import {
  checkRunStateOf,
  checkRunStateOfPhase,
  type CheckRunState,
} from "../../../src/render/check-run-state.js";
import { renderCheckRun, type RenderedCheckRun } from "../../../src/render/check-run-output.js";
import {
  CHECK_RUN_ACTION_DESCRIPTION_LIMIT,
  CHECK_RUN_ACTION_IDENTIFIER_LIMIT,
  CHECK_RUN_ACTION_LABEL_LIMIT,
  CHECK_RUN_MAX_ACTIONS,
  CHECK_RUN_SUMMARY_LIMIT,
  CHECK_RUN_TEXT_LIMIT,
  CHECK_RUN_TITLE_LIMIT,
  measure,
} from "../../../src/render/limits.js";
import {
  COMPONENT_PHASES,
  type ChangesetReport,
  type ComponentPhase,
} from "../../../src/render/report-model.js";
import { expectGolden } from "./expect-golden.js";
import { expectWellFormed } from "./expect-well-formed.js";
import { component, counts, digest, report, runUrl, vpcPlan } from "./fixtures.js";
import * as scenarios from "./scenarios.js";

function expectWithinLimits(checkRun: RenderedCheckRun): void {
  const { title, summary, text } = checkRun.output;
  expect(measure(title, CHECK_RUN_TITLE_LIMIT.unit)).toBeLessThanOrEqual(CHECK_RUN_TITLE_LIMIT.max);
  expect(Buffer.byteLength(summary, "utf8")).toBeLessThanOrEqual(CHECK_RUN_SUMMARY_LIMIT.max);
  expect(Buffer.byteLength(text, "utf8")).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT.max);
  expect(checkRun.actions.length).toBeLessThanOrEqual(CHECK_RUN_MAX_ACTIONS);
  expectWellFormed(summary);
  expectWellFormed(text);
}

/** A golden snapshot of everything a reviewer sees on the check run. */
function snapshot(checkRun: RenderedCheckRun): string {
  const actions = checkRun.actions.map(
    (action) => `[${action.label}] (${action.identifier}): ${action.description}`,
  );
  return [
    `<!-- ${checkRun.name} · ${checkRun.status}${checkRun.conclusion === undefined ? "" : ` · ${checkRun.conclusion}`} · ${checkRun.detailsUrl} -->`,
    `<!-- actions: ${actions.length === 0 ? "none" : actions.join("; ")} -->`,
    "",
    `# ${checkRun.output.title}`,
    "",
    checkRun.output.summary,
    "",
    "<!-- ==================== output.text ==================== -->",
    "",
    checkRun.output.text,
  ].join("\n");
}

describe("checkRunStateOfPhase", () => {
  // docs/design.md's "Bosun state → GitHub check run" table, row by row.
  const table: Record<ComponentPhase, CheckRunState> = {
    QUEUED: { status: "queued" },
    DEFERRED: { status: "queued" },
    PREPARING: { status: "in_progress" },
    INITIALIZING: { status: "in_progress" },
    PLANNING: { status: "in_progress" },
    UNCONFIRMED: { status: "completed", conclusion: "action_required" },
    CONFIRMED: { status: "in_progress" },
    APPLYING: { status: "in_progress" },
    FINISHED: { status: "completed", conclusion: "success" },
    FAILED: { status: "completed", conclusion: "failure" },
    DISCARDED: { status: "completed", conclusion: "neutral" },
    BLOCKED: { status: "completed", conclusion: "skipped" },
  };

  it.each(COMPONENT_PHASES.map((phase) => [phase, table[phase]] as const))(
    "maps %s to %o",
    (phase, expected) => {
      expect(checkRunStateOfPhase(phase)).toEqual(expected);
    },
  );

  it.each(COMPONENT_PHASES.map((phase) => [phase, table[phase]] as const))(
    "gives a run whose one component is %s the same state, on the rendered check run too",
    (phase, expected) => {
      const single = report({ components: [component({ name: "network@dev", phase })] });
      expect(checkRunStateOf(single)).toEqual(expected);
      const checkRun = renderCheckRun(single);
      expect(checkRun.status).toBe(expected.status);
      expect(checkRun.conclusion).toBe(expected.conclusion);
      expect(checkRun.actions.map((action) => action.identifier)).toEqual(
        phase === "UNCONFIRMED" ? ["apply", "discard"] : [],
      );
    },
  );
});

describe("checkRunStateOf a run of several components", () => {
  const cases: [string, ComponentPhase[], CheckRunState][] = [
    ["all queued", ["QUEUED", "QUEUED"], { status: "queued" }],
    ["queued and deferred", ["QUEUED", "DEFERRED"], { status: "queued" }],
    ["one planning", ["QUEUED", "PLANNING", "FINISHED"], { status: "in_progress" }],
    ["a failure while others still plan", ["FAILED", "PLANNING"], { status: "in_progress" }],
    ["queued after others finished", ["FINISHED", "QUEUED"], { status: "in_progress" }],
    [
      "awaiting approval with a deferred downstream",
      ["UNCONFIRMED", "DEFERRED"],
      { status: "completed", conclusion: "action_required" },
    ],
    [
      "awaiting approval with a no-change component",
      ["UNCONFIRMED", "FINISHED"],
      { status: "completed", conclusion: "action_required" },
    ],
    [
      "a failure beside one awaiting approval",
      ["UNCONFIRMED", "FAILED", "DEFERRED"],
      { status: "completed", conclusion: "failure" },
    ],
    ["between waves of a confirmed run", ["FINISHED", "DEFERRED"], { status: "in_progress" }],
    ["applying", ["FINISHED", "APPLYING", "DEFERRED"], { status: "in_progress" }],
    ["confirmed", ["CONFIRMED", "CONFIRMED"], { status: "in_progress" }],
    [
      "partially failed",
      ["FINISHED", "FAILED", "BLOCKED"],
      { status: "completed", conclusion: "failure" },
    ],
    ["all finished", ["FINISHED", "FINISHED"], { status: "completed", conclusion: "success" }],
    [
      "discarded beside no-change components",
      ["DISCARDED", "FINISHED"],
      { status: "completed", conclusion: "neutral" },
    ],
    ["all discarded", ["DISCARDED", "DISCARDED"], { status: "completed", conclusion: "neutral" }],
    ["all blocked", ["BLOCKED", "BLOCKED"], { status: "completed", conclusion: "skipped" }],
    [
      "blocked beside finished",
      ["FINISHED", "BLOCKED"],
      { status: "completed", conclusion: "skipped" },
    ],
  ];

  it.each(cases)("%s", (_case, phases, expected) => {
    const components = phases.map((phase, index) =>
      component({ name: `stack${index}@dev`, phase }),
    );
    expect(checkRunStateOf(report({ components }))).toEqual(expected);
  });

  it("fails a run with config problems whatever its components", () => {
    const bad = report({
      configProblems: [{ file: "bosun.yml", path: "stacks[0].dir", line: 7, message: "required" }],
      components: [component({ name: "network@dev", phase: "FINISHED" })],
    });
    expect(checkRunStateOf(bad)).toEqual({ status: "completed", conclusion: "failure" });
  });

  it("calls a run without components neutral", () => {
    expect(checkRunStateOf(report())).toEqual({ status: "completed", conclusion: "neutral" });
  });
});

describe("renderCheckRun", () => {
  it("names the engine and version the run ran, once one has run", () => {
    const ran = renderCheckRun(report({ engine: "OpenTofu 1.11.5" }));
    expect(ran.output.summary).toMatch(/at `[0-9a-f]{7}` with OpenTofu 1\.11\.5 · \[Run details\]/);
    expect(renderCheckRun(report({ engine: "Terraform `1.14.6`" })).output.summary).toContain(
      "with Terraform 1.14.6 ·",
    );
    expect(renderCheckRun(report()).output.summary).not.toContain(" with ");
  });

  it("says who started a run from no pull request, and marks a machine user as one", () => {
    const person = renderCheckRun(
      report({ runKind: "plan", startedBy: { name: "octocat", machine: false } }),
    );
    expect(person.output.summary).toContain("Plan-only run for `dev`");
    expect(person.output.summary).toContain("· started by `@octocat` ·");
    const machine = renderCheckRun(
      report({ startedBy: { name: "release-bot (API token)", machine: true } }),
    );
    expect(machine.output.summary).toContain(
      "· started by `release-bot (API token)`, a machine user ·",
    );
    expect(renderCheckRun(report()).output.summary).not.toContain("started by");
  });

  it("names the check run after the environment and links the run page", () => {
    const checkRun = renderCheckRun(report({ environment: "prod" }));
    expect(checkRun.name).toBe("bosun/prod");
    expect(checkRun.detailsUrl).toBe(runUrl);
  });

  it("keeps the buttons within GitHub's limits", () => {
    const { actions } = renderCheckRun(scenarios.unconfirmed);
    expect(actions.map((action) => action.identifier)).toEqual(["apply", "discard"]);
    for (const action of actions) {
      expect(action.label.length).toBeLessThanOrEqual(CHECK_RUN_ACTION_LABEL_LIMIT.max);
      expect(action.description.length).toBeLessThanOrEqual(CHECK_RUN_ACTION_DESCRIPTION_LIMIT.max);
      expect(action.identifier.length).toBeLessThanOrEqual(CHECK_RUN_ACTION_IDENTIFIER_LIMIT.max);
    }
  });

  it.each([
    ["no changes", scenarios.noChanges, "No changes"],
    ["a failed plan", scenarios.threeComponents, "Plan failed: db@dev"],
    ["a plan awaiting approval", scenarios.unconfirmed, "2 to add, 1 to change, 2 to destroy"],
    ["a stale plan", scenarios.stale, "Stale: 1 to add, 0 to change, 0 to destroy"],
    ["a plan that failed beside one awaiting approval", scenarios.hostile, "Plan failed: db@dev"],
  ])("titles %s %j", (_case, input, title) => {
    expect(renderCheckRun(input).output.title).toBe(title);
  });

  it.each<[string, ChangesetReport, string]>([
    [
      "applied changes",
      report({
        runStatus: "SUCCEEDED",
        components: [
          component({ name: "a@dev", phase: "FINISHED", counts: counts({ add: 2, replace: 1 }) }),
          component({ name: "b@dev", phase: "FINISHED", counts: counts({ change: 1, import: 1 }) }),
        ],
      }),
      "Applied: 2 added, 1 changed, 0 destroyed, 1 imported",
    ],
    [
      "an output-only plan",
      report({
        components: [component({ name: "a@dev", counts: counts({}), hasChanges: true })],
      }),
      "0 to add, 0 to change, 0 to destroy, output changes only",
    ],
    [
      "a queued run",
      report({ components: [component({ name: "a@dev", phase: "QUEUED" })] }),
      "Queued: 1 component",
    ],
    [
      "a run being planned",
      report({
        components: [
          component({ name: "a@dev", phase: "PLANNING" }),
          component({ name: "b@dev", phase: "FINISHED" }),
          component({ name: "c@dev", phase: "QUEUED" }),
        ],
      }),
      "Planning: 1 of 3 components done",
    ],
    [
      "a run being applied",
      report({
        components: [
          component({ name: "a@dev", phase: "APPLYING" }),
          component({ name: "b@dev", phase: "DEFERRED" }),
        ],
      }),
      "Applying: 0 of 2 components done",
    ],
    [
      "a failed apply",
      report({
        runStatus: "PARTIALLY_FAILED",
        components: [
          component({ name: "a@dev", phase: "FINISHED", counts: counts({ add: 1 }) }),
          component({ name: "b@dev", phase: "FAILED", failedDuring: "apply" }),
          component({ name: "c@dev", phase: "BLOCKED", waitingFor: ["b@dev"] }),
        ],
      }),
      "Apply failed: b@dev",
    ],
    [
      "failures in both halves",
      report({
        components: [
          component({ name: "a@dev", phase: "FAILED", failedDuring: "plan" }),
          component({ name: "b@dev", phase: "FAILED", failedDuring: "apply" }),
        ],
      }),
      "Failed: a@dev, b@dev",
    ],
    [
      "a discarded run",
      report({ components: [component({ name: "a@dev", phase: "DISCARDED" })] }),
      "Discarded",
    ],
    [
      "a blocked run",
      report({ components: [component({ name: "a@dev", phase: "BLOCKED" })] }),
      "Blocked by a failed upstream: a@dev",
    ],
    [
      "a bad config",
      report({
        configProblems: [
          { file: "bosun.yml", path: "stacks[0].dir", line: 7, message: "required" },
          { file: "bosun.yml", path: "version", line: 1, message: "must be 1" },
        ],
      }),
      "bosun.yml is invalid: 2 problems",
    ],
  ])("titles %s", (_case, input, title) => {
    expect(renderCheckRun(input).output.title).toBe(title);
  });

  it("lists as many failed components in the title as fit, then how many more", () => {
    const components = Array.from({ length: 40 }, (_, index) =>
      component({ name: `stack-with-a-long-name-${index}@production`, phase: "FAILED" }),
    );
    const { title } = renderCheckRun(report({ components })).output;
    expect(title.length).toBeLessThanOrEqual(CHECK_RUN_TITLE_LIMIT.budget);
    expect(title).toMatch(/^Failed: stack-with-a-long-name-0@production, .* and \d+ more$/);
  });

  it("leaves out the Apply button on a stale plan, which would only be refused", () => {
    const checkRun = renderCheckRun(scenarios.stale);
    expect(checkRun.conclusion).toBe("action_required");
    expect(checkRun.actions.map((action) => action.identifier)).toEqual(["discard"]);
  });

  it("names every digest that approving applies", () => {
    const { summary } = renderCheckRun(scenarios.unconfirmed).output;
    expect(summary).toContain(`\`${digest("c3")}\``);
    expect(summary).toContain(`\`${digest("b2")}\``);
    expect(summary).toContain("`/apply` applies them or nothing");
  });

  it("lists every bosun.yml problem by path and line and plans nothing", () => {
    const checkRun = renderCheckRun(
      report({
        configProblems: [
          { file: "bosun.yml", path: "stacks[0].dir", line: 7, message: "Required" },
          { file: "bosun.yml", path: "", message: "Unknown key `polices`" },
        ],
      }),
    );
    expect(checkRun.conclusion).toBe("failure");
    expect(checkRun.output.summary).toContain("- `bosun.yml`, line 7, `stacks[0].dir`: Required");
    expect(checkRun.output.summary).toContain("- `bosun.yml`: Unknown key \\`polices\\`");
  });

  it("cuts a summary with thousands of components at a line, with a note", () => {
    const components = Array.from({ length: 3_000 }, (_, index) =>
      component({
        name: `stack${index}@dev`,
        counts: counts({ add: index }),
        planDigest: digest("f6"),
      }),
    );
    const checkRun = renderCheckRun(report({ components }));
    expectWithinLimits(checkRun);
    expect(checkRun.output.summary).toMatch(
      new RegExp(`\\n… \\d+ more lines: full details at ${runUrl}$`),
    );
  });

  it("keeps the text within its limit when hundreds of components fail", () => {
    const components = Array.from({ length: 300 }, (_, index) =>
      component({
        name: `stack${index}@dev`,
        phase: "FAILED",
        failureReason: "x".repeat(1_000),
        planText: vpcPlan,
      }),
    );
    const checkRun = renderCheckRun(report({ components }));
    expectWithinLimits(checkRun);
    expect(checkRun.output.text).toMatch(
      new RegExp(`\\n\\n… \\d+ more components: full plans and logs at ${runUrl}$`),
    );
    expectWellFormed(checkRun.output.text);
  });

  it("measures the text in UTF-8 bytes, as GitHub does", () => {
    const wide = '  + résumé = "日本語のテキスト🙂🙂🙂🙂"';
    const plan = Array.from({ length: 4_000 }, () => wide).join("\n");
    const checkRun = renderCheckRun(
      report({
        components: [component({ name: "a@dev", counts: counts({ add: 1 }), planText: plan })],
      }),
    );
    expect(checkRun.output.text.length).toBeLessThan(CHECK_RUN_TEXT_LIMIT.max);
    expectWithinLimits(checkRun);
  });
});

describe("renderCheckRun golden files", () => {
  it.each([
    ["no-changes", scenarios.noChanges],
    ["three-components", scenarios.threeComponents],
    ["unconfirmed", scenarios.unconfirmed],
    ["stale", scenarios.stale],
    ["huge-plan", scenarios.hugePlan],
    ["hostile", scenarios.hostile],
  ])("%s", (name, input) => {
    const checkRun = renderCheckRun(input);
    expectWithinLimits(checkRun);
    expectGolden(`${name}.check-run.md`, snapshot(checkRun));
  });

  it("cuts a 10,000-line plan at a whole line with a note, and keeps the small plan whole", () => {
    const { text } = renderCheckRun(scenarios.hugePlan).output;
    const note = text.match(/\n\n… (\d+) more lines: full plan at (\S+)\n/);
    expect(note?.[2]).toBe(runUrl);
    const omitted = Number(note?.[1]);
    expect(omitted).toBeGreaterThan(8_000);
    expect(omitted).toBeLessThan(10_000);
    // The kept lines are whole lines of the plan, in order.
    const fence = text.slice(
      text.indexOf("```diff\n") + "```diff\n".length,
      text.indexOf("\n```\n"),
    );
    const kept = fence.split("\n");
    expect(kept.length + omitted).toBe(10_000);
    expect(kept.at(-1)).toMatch(/^\+ {7}item_\d{5} = "value-\d+"$/);
    expect(text).toContain('+   resource "aws_vpc" "main" {');
    expect(text).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
  });
});
