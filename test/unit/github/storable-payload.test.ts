import { describe, expect, it } from "vitest";
import {
  MAX_PAYLOAD_DEPTH,
  payloadDepth,
  withoutNulCharacters,
} from "../../../src/github/storable-payload.js";

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe("payloadDepth", () => {
  it.each([
    ["a scalar", 1, 0],
    ["a flat object", { a: 1 }, 1],
    ["an object in a list", [{ a: [] }], 3],
    ["the limit exactly", nested(MAX_PAYLOAD_DEPTH), MAX_PAYLOAD_DEPTH],
  ])("measures %s", (_, value, depth) => {
    expect(payloadDepth(value)).toBe(depth);
  });

  it("stops counting just past the limit, without recursing", () => {
    expect(payloadDepth(nested(200_000))).toBe(MAX_PAYLOAD_DEPTH + 1);
  });
});

describe("withoutNulCharacters", () => {
  it("replaces U+0000 in strings and keys, leaving everything else as it was", () => {
    const payload = { "a\u0000b": ["x\u0000y", 1, null, true, { c: "\u0000" }], d: "plain" };
    expect(withoutNulCharacters(payload)).toEqual({
      "a\uFFFDb": ["x\uFFFDy", 1, null, true, { c: "\uFFFD" }],
      d: "plain",
    });
  });
});
