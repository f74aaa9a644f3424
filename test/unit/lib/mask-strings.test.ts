import { describe, expect, it } from "vitest";
import { maskStrings } from "../../../src/lib/mask-strings.js";
import { createMasker } from "../../../src/lib/redact.js";
import { testApp } from "../../helpers/app-credentials.js";

const masker = createMasker(["s3cret-value"]);
const maskLines = (lines: readonly string[]) => masker.maskLogLines(lines);

describe("maskStrings", () => {
  it("masks every string at any depth and keeps everything else as it is", async () => {
    const at = new Date(0);
    const value = {
      id: 7,
      at,
      ok: true,
      none: null,
      outputs: [{ name: "dsn", value: "user s3cret-value\nline two s3cret-value" }],
      nested: { deeper: ["plain", "x s3cret-value"] },
    };
    expect(await maskStrings(value, maskLines)).toEqual({
      id: 7,
      at,
      ok: true,
      none: null,
      outputs: [{ name: "dsn", value: "user ***\nline two ***" }],
      nested: { deeper: ["plain", "x ***"] },
    });
  });

  it("finds a credential printed over the lines of one string", async () => {
    // A real key Bosun does not know: found by its format, which needs all of its lines.
    const key = testApp.privateKey.trim();
    const masked = await maskStrings({ text: `before\n${key}\nafter` }, maskLines);
    const lines = masked.text.split("\n");
    expect(lines).toHaveLength(key.split("\n").length + 2);
    expect(lines[0]).toBe("before");
    expect(lines.at(-1)).toBe("after");
    for (const line of key.split("\n").slice(1, -1)) expect(masked.text).not.toContain(line);
  });

  it("returns a value without strings untouched", async () => {
    const value = { n: 1, list: [2, 3] };
    expect(await maskStrings(value, maskLines)).toBe(value);
  });
});
