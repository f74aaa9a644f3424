import { describe, expect, it } from "vitest";
import { commentMarker, commentMarkerPart } from "../../../src/render/comment-marker.js";
import { COMMENT_BODY_LIMIT } from "../../../src/render/limits.js";
import { renderPrComment } from "../../../src/render/pr-comment.js";
import type { ChangesetReport } from "../../../src/render/report-model.js";
import { expectGolden } from "./expect-golden.js";
import { expectWellFormed as expectBalanced } from "./expect-well-formed.js";
import { component, counts, digest, longPlan, report, runUrl } from "./fixtures.js";
import * as scenarios from "./scenarios.js";

const options = { marker: "bosun:pr-comment" };

function expectWellFormed(body: string): void {
  expect(body.length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT.max);
  expectBalanced(body);
}

/** Components each with a plan of `lines` lines. */
function manyPlans(componentCount: number, lines: number): ChangesetReport {
  return report({
    components: Array.from({ length: componentCount }, (_, index) =>
      component({
        name: `stack${index}@dev`,
        changeKind: "create",
        counts: counts({ add: lines - 2 }),
        planDigest: digest("0a"),
        planText: longPlan(lines, `s${index}`),
      }),
    ),
  });
}

describe("renderPrComment golden files", () => {
  it.each([
    ["no-changes", [scenarios.noChanges]],
    ["three-components", [scenarios.threeComponents]],
    ["unconfirmed", [scenarios.unconfirmed]],
    ["stale", [scenarios.stale]],
    ["huge-plan", [scenarios.hugePlan]],
    ["hostile", [scenarios.hostile]],
    [
      "two-environments",
      [
        scenarios.unconfirmed,
        {
          ...scenarios.noChanges,
          environment: "prod",
          components: scenarios.noChanges.components.map((c) => ({ ...c, name: "network@prod" })),
        },
      ],
    ],
    ["nothing-affected", []],
  ])("%s", (name, reports) => {
    const bodies = renderPrComment(reports, options);
    expect(bodies).toHaveLength(1);
    const [body = ""] = bodies;
    expect(body.startsWith("<!-- bosun:pr-comment -->\n")).toBe(true);
    expectWellFormed(body);
    expectGolden(`${name}.pr-comment.md`, body);
  });
});

describe("renderPrComment", () => {
  it("cuts a 10,000-line plan to one comment with a note, keeping the small plan whole", () => {
    const [body = "", ...rest] = renderPrComment([scenarios.hugePlan], options);
    expect(rest).toEqual([]);
    expect(body.length).toBeGreaterThan(COMMENT_BODY_LIMIT.budget - 1_000);
    expect(body).toMatch(new RegExp(`\\n\\n… \\d+ more lines: full plan at ${runUrl}\\n`));
    expect(body).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
  });

  it("keeps plans in their fence however many backticks they hold", () => {
    const [body = ""] = renderPrComment([scenarios.hostile], options);
    expect(body).toContain("`````diff\n");
    expect(body).toContain("\n          </details>\n");
    expect(body).not.toContain("@octocat please look at #1\n`````\n</details>");
    expectWellFormed(body);
  });

  it("stays one body up to the limit, and continues in a second only when it must", () => {
    // A long plan, which can always be cut, beside `deferred` components, which cannot.
    const withDeferred = (deferred: number): ChangesetReport =>
      report({
        components: [
          manyPlans(1, 10_000).components[0]!,
          ...Array.from({ length: deferred }, (_, index) =>
            component({ name: `app${index}@dev`, phase: "DEFERRED", waitingFor: ["stack0@dev"] }),
          ),
        ],
      });
    // The fewest deferred components that need a second body.
    let low = 0;
    let high = 1_000;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (renderPrComment([withDeferred(middle)], options).length === 1) low = middle;
      else high = middle;
    }
    const [single = "", ...none] = renderPrComment([withDeferred(low)], options);
    expect(none).toEqual([]);
    expect(single.length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT.budget);
    expect(single.length).toBeGreaterThan(COMMENT_BODY_LIMIT.budget - 500);
    expectWellFormed(single);

    const bodies = renderPrComment([withDeferred(high)], options);
    expect(bodies).toHaveLength(2);
    const [first = "", second = ""] = bodies;
    expect(first.startsWith("<!-- bosun:pr-comment -->\n")).toBe(true);
    expect(first.endsWith("\n\n_Continued in the next comment._")).toBe(true);
    expect(
      second.startsWith("<!-- bosun:pr-comment:part-2 -->\n### Bosun (continued 2/2)\n\n"),
    ).toBe(true);
    // At the boundary only the tail (here the commands) moves on; nothing is lost.
    expect(bodies.join("")).toContain(`<details><summary>app${high - 1}@dev: deferred</summary>`);
    expect(second).toMatch(/Comment `\/apply` to apply these plans.*$/);
    for (const body of bodies) {
      expectWellFormed(body);
      expect(commentMarkerPart(body, options.marker)).toBe(bodies.indexOf(body) + 1);
    }
    // The plan was cut to the room its body had left.
    expect(first).toMatch(/… \d+ more lines: full plan at /);
    expect(first.length).toBeGreaterThan(COMMENT_BODY_LIMIT.budget - 500);
  });

  it("shares one body fairly between many long plans", () => {
    const bodies = renderPrComment([manyPlans(8, 2_000)], options);
    expect(bodies).toHaveLength(1);
    const [body = ""] = bodies;
    expectWellFormed(body);
    const notes = body.match(/… (\d+) more lines: full plan at/g) ?? [];
    expect(notes).toHaveLength(8);
    // Equal plans get equal shares, give or take a line.
    const omitted = notes.map((note) => Number(note.replace(/\D/g, "")));
    expect(Math.max(...omitted) - Math.min(...omitted)).toBeLessThanOrEqual(1);
  });

  it("keeps small plans whole and cuts only the long one", () => {
    const small = manyPlans(3, 20).components;
    const [body = ""] = renderPrComment(
      [report({ components: [...small, manyPlans(1, 10_000).components[0]!] })],
      options,
    );
    expect(body.match(/more lines: full plan at/g)).toHaveLength(1);
    for (const index of [0, 1, 2]) expect(body).toContain(`s${index}_00017 = "value-17"`);
  });

  it("keeps hundreds of components within the limit, splitting between sections", () => {
    const components = Array.from({ length: 600 }, (_, index) =>
      component({ name: `stack${index}@dev`, phase: "DEFERRED", waitingFor: ["network@dev"] }),
    );
    const bodies = renderPrComment([report({ components })], options);
    expect(bodies.length).toBeGreaterThan(1);
    bodies.forEach((body, index) => {
      expectWellFormed(body);
      if (index > 0) expect(body).toContain(`(continued ${index + 1}/${bodies.length})`);
    });
  });

  it("opens the sections of failed components", () => {
    const [body = ""] = renderPrComment([scenarios.threeComponents], options);
    expect(body).toContain("<details open><summary>db@dev: plan failed</summary>");
    expect(body).toContain("<details><summary>network@dev: +1 ~0 -0</summary>");
    expect(body).toContain("<details><summary>app@dev: deferred</summary>");
  });

  it("rejects a marker that could end the HTML comment early", () => {
    expect(() => renderPrComment([], { marker: "bosun -->" })).toThrow(/marker/);
    expect(() => renderPrComment([], { marker: "a--b" })).toThrow(/marker/);
  });
});

describe("commentMarker and commentMarkerPart", () => {
  it.each([
    ["<!-- bosun:pr-comment -->\nbody", 1],
    ["<!-- bosun:pr-comment:part-2 -->\n### Bosun (continued 2/3)", 2],
    ["<!-- bosun:pr-comment:part-12 -->", 12],
    ["<!-- bosun:pr-comment:part-1 -->", undefined],
    ["<!-- bosun:pr-comment:part-x -->", undefined],
    ["<!-- bosun:pr-comment-other -->", undefined],
    ["hello <!-- bosun:pr-comment -->", undefined],
  ])("reads %j as part %s", (body, part) => {
    expect(commentMarkerPart(body, "bosun:pr-comment")).toBe(part);
  });

  it("round-trips", () => {
    for (const part of [1, 2, 7]) {
      expect(commentMarkerPart(commentMarker("bosun:pr-comment", part), "bosun:pr-comment")).toBe(
        part,
      );
    }
  });
});
