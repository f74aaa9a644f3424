import { describe, expect, it } from "vitest";
import { findStaleComponents } from "../../../src/domain/find-stale-components.js";

describe("findStaleComponents", () => {
  it("lists components whose deployed head moved, including a first deployment", () => {
    expect(
      findStaleComponents({ a: "r1", b: null, c: "r3" }, { a: "r1", b: "r9", c: "r4" }),
    ).toEqual(["b", "c"]);
    expect(findStaleComponents({ a: null }, {})).toEqual([]);
  });
});
