import { describe, expect, it } from "vitest";
import { measure } from "../../../src/render/limits.js";
import type { ComponentReport } from "../../../src/render/report-model.js";
import { stepNoticesSection, stepSummariesSection } from "../../../src/render/step-sections.js";

const RUN_URL = "https://bosun.example.com/runs/1";

const component = (overrides: Partial<ComponentReport>): ComponentReport => ({
  name: "network@dev",
  stack: "network",
  dir: "infra/network",
  changeKind: "update",
  phase: "UNCONFIRMED",
  ...overrides,
});

describe("stepSummariesSection", () => {
  it("shows each summary under its step's name, references neutralised", () => {
    const section = stepSummariesSection(
      component({
        steps: [
          { name: "lint", hook: "before_plan", exitCode: 0 },
          { name: "cost", hook: "after_plan", exitCode: 0, summary: "## Cost\n\n@octocat #12\n" },
        ],
      }),
      RUN_URL,
      16_000,
      "utf8-bytes",
    );
    expect(section).toBe(
      "#### Step `cost` (`after_plan`)\n\n## Cost\n\n@&#8203;octocat #&#8203;12\n",
    );
  });

  it("cuts a long summary to its share at a line, closing a fence the cut left open", () => {
    const long = ["```text", ...Array.from({ length: 5_000 }, (_, i) => `line ${i}`), "```"].join(
      "\n",
    );
    const section = stepSummariesSection(
      component({
        steps: [
          { name: "a", hook: "after_plan", summary: long },
          { name: "b", hook: "after_plan", summary: long },
        ],
      }),
      RUN_URL,
      16_000,
      "utf8-bytes",
    )!;
    expect(measure(section, "utf8-bytes")).toBeLessThanOrEqual(16_000);
    const [first, second] = section.split("#### Step `b`");
    expect(first).toMatch(/… \d+ more lines of this summary on the run page: https:\/\/bosun/);
    expect(first!.trimEnd().endsWith("```")).toBe(true);
    expect(second).toContain("line 0");
  });

  it("says nothing when no step wrote a summary", () => {
    expect(
      stepSummariesSection(
        component({ steps: [{ name: "lint", hook: "before_plan", summary: "  \n" }] }),
        RUN_URL,
        16_000,
        "utf8-bytes",
      ),
    ).toBeUndefined();
  });
});

describe("stepNoticesSection", () => {
  it("lists warnings and the stacks whose steps wait for the merge", () => {
    expect(
      stepNoticesSection(
        [
          component({
            stepWarnings: [{ step: "cost", hook: "after_plan", message: "exited with 1" }],
          }),
          component({ name: "network@prod", stepsPending: true }),
        ],
        "#### Custom steps",
      ),
    ).toBe(
      [
        "#### Custom steps",
        "",
        "- ⚠️ network@dev: step `cost` (`after_plan`) failed and is set to warn: exited with 1. Autodeploy is held: a person must confirm.",
        "- This pull request changes the custom steps of `network`: they take effect once merged. This plan ran the tracked branch's steps.",
      ].join("\n"),
    );
    expect(stepNoticesSection([component({})], "#### Custom steps")).toBeUndefined();
  });
});
