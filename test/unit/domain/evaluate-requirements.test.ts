import { describe, expect, it } from "vitest";
import { evaluateRequirements, type Review } from "../../../src/domain/evaluate-requirements.js";
import { findStaleComponents } from "../../../src/domain/find-stale-components.js";

const review = (user: string, state: Review["state"], submittedAt: string): Review => ({
  user,
  state,
  submittedAt,
});
const facts = (reviews: Review[], overrides = {}) => ({
  author: "alice",
  reviews,
  mergeable: true,
  behindBy: 0,
  ...overrides,
});

describe("evaluateRequirements", () => {
  it.each([
    ["no reviews", [], ["approved"]],
    ["an approval by someone else", [review("bob", "APPROVED", "2026-01-01T00:00:00Z")], []],
    [
      "only the author's own approval",
      [review("alice", "APPROVED", "2026-01-01T00:00:00Z")],
      ["approved"],
    ],
    [
      "an approval later withdrawn by changes requested",
      [
        review("bob", "APPROVED", "2026-01-01T00:00:00Z"),
        review("bob", "CHANGES_REQUESTED", "2026-01-02T00:00:00Z"),
      ],
      ["approved"],
    ],
    [
      "an approval followed by a comment-only review",
      [
        review("bob", "APPROVED", "2026-01-01T00:00:00Z"),
        review("bob", "COMMENTED", "2026-01-02T00:00:00Z"),
      ],
      [],
    ],
    [
      "an approval that was dismissed",
      [
        review("bob", "APPROVED", "2026-01-01T00:00:00Z"),
        review("bob", "DISMISSED", "2026-01-02T00:00:00Z"),
      ],
      ["approved"],
    ],
    [
      "changes requested, then approved",
      [
        review("bob", "CHANGES_REQUESTED", "2026-01-01T00:00:00Z"),
        review("bob", "APPROVED", "2026-01-03T00:00:00Z"),
      ],
      [],
    ],
  ] as const)("approved, with %s", (_, reviews, unmet) => {
    expect(evaluateRequirements(["approved"], facts([...reviews]))).toEqual(unmet);
  });

  it("names every unmet requirement in the configured order", () => {
    expect(
      evaluateRequirements(
        ["undiverged", "mergeable", "approved"],
        facts([], { mergeable: null, behindBy: 3 }),
      ),
    ).toEqual(["undiverged", "mergeable", "approved"]);
    expect(evaluateRequirements([], facts([], { mergeable: false, behindBy: 3 }))).toEqual([]);
  });
});

describe("findStaleComponents", () => {
  it("lists components whose deployed head moved, including a first deployment", () => {
    expect(
      findStaleComponents({ a: "r1", b: null, c: "r3" }, { a: "r1", b: "r9", c: "r4" }),
    ).toEqual(["b", "c"]);
    expect(findStaleComponents({ a: null }, {})).toEqual([]);
  });
});
