import { describe, expect, it } from "vitest";
import { formatDelta } from "../../../src/render/format-delta.js";
import { counts } from "./fixtures.js";

describe("formatDelta", () => {
  it.each([
    [counts({}), "+0 ~0 -0"],
    [counts({ add: 1 }), "+1 ~0 -0"],
    [counts({ add: 2, change: 1, destroy: 2, replace: 1 }), "+2 ~1 -2 ±1"],
    [counts({ import: 1, move: 2, forget: 1 }), "+0 ~0 -0 (1 import, 2 moves, 1 forget)"],
  ])("%o as %s", (input, expected) => {
    expect(formatDelta(input)).toBe(expected);
  });
});
