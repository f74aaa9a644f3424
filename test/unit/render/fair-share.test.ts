import { describe, expect, it } from "vitest";
import { fairShare } from "../../../src/render/fair-share.js";

describe("fairShare", () => {
  it.each([
    ["everything fits", [10, 20], 100, [], [10, 20]],
    ["the small claim whole, the large one cut", [10, 100], 60, [], [10, 50]],
    ["equal claims alike", [100, 100, 100], 90, [], [30, 30, 30]],
    ["order kept", [100, 10, 100], 70, [], [30, 10, 30]],
    ["nothing to share", [10, 20], 0, [], [0, 0]],
    ["a negative budget as nothing", [10, 20], -5, [], [0, 0]],
    ["no claims", [], 50, [], []],
    ["floors first, then the rest shared", [100, 100], 50, [40, 5], [42, 8]],
    ["floors even beyond the budget", [100, 100], 10, [20, 20], [20, 20]],
    ["a floor no larger than the claim", [3, 100], 50, [20, 20], [3, 47]],
  ])("%s", (_case, sizes, budget, floors, expected) => {
    expect(fairShare(sizes, budget, floors)).toEqual(expected);
  });
});
