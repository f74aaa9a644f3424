import { describe, expect, it } from "vitest";
import {
  ANNOTATION_MESSAGE_LIMIT,
  ANNOTATION_TITLE_LIMIT,
  CHECK_RUN_SUMMARY_LIMIT,
  CHECK_RUN_TEXT_LIMIT,
  CHECK_RUN_TITLE_LIMIT,
  COMMENT_BODY_LIMIT,
  cutAtLineBoundary,
  cutCodePoints,
  measure,
  truncateToLimit,
  type TextLimit,
} from "../../../src/render/limits.js";

describe("limits", () => {
  it.each<[string, TextLimit, number]>([
    ["check-run summary", CHECK_RUN_SUMMARY_LIMIT, 65_535],
    ["check-run text", CHECK_RUN_TEXT_LIMIT, 65_535],
    ["check-run title", CHECK_RUN_TITLE_LIMIT, 255],
    ["annotation title", ANNOTATION_TITLE_LIMIT, 255],
    ["annotation message", ANNOTATION_MESSAGE_LIMIT, 65_536],
    ["comment body", COMMENT_BODY_LIMIT, 65_536],
  ])("%s: GitHub's maximum, a budget at or below it, a doc link", (_name, limit, max) => {
    expect(limit.max).toBe(max);
    expect(limit.budget).toBeLessThanOrEqual(limit.max);
    expect(limit.docs).toMatch(/^https:\/\/docs\.github\.com\//);
  });

  it("measures check-run output in UTF-8 bytes, as GitHub validates it", () => {
    expect(CHECK_RUN_SUMMARY_LIMIT.unit).toBe("utf8-bytes");
    expect(CHECK_RUN_TEXT_LIMIT.unit).toBe("utf8-bytes");
  });
});

describe("measure", () => {
  it.each([
    ["", 0, 0],
    ["abc", 3, 3],
    ["é", 2, 1],
    ["日本", 6, 2],
    ["🙂", 4, 2],
  ])("%j is %i bytes and %i UTF-16 units", (text, bytes, units) => {
    expect(measure(text, "utf8-bytes")).toBe(bytes);
    expect(measure(text, "utf16-units")).toBe(units);
  });
});

describe("cutAtLineBoundary", () => {
  it.each([
    ["fits whole", "a\nb\nc", 5, "a\nb\nc", 0],
    ["cuts after a whole line", "aa\nbb\ncc", 5, "aa\nbb", 1],
    ["cuts after the first line", "aa\nbb\ncc", 4, "aa", 2],
    ["cuts a first line too long for the room", "abcdef\nb", 3, "abc", 2],
    ["keeps nothing with no room", "abc", 0, "", 1],
  ])("%s", (_case, text, budget, kept, omitted) => {
    expect(cutAtLineBoundary(text, budget, "utf16-units")).toEqual({
      text: kept,
      omittedLines: omitted,
    });
  });

  it("never splits a character", () => {
    expect(cutCodePoints("🙂🙂🙂", 5, "utf16-units")).toBe("🙂🙂");
    expect(cutCodePoints("🙂🙂🙂", 7, "utf8-bytes")).toBe("🙂");
    expect(cutCodePoints("ééé", 5, "utf8-bytes")).toBe("éé");
  });
});

describe("truncateToLimit", () => {
  const lines = Array.from({ length: 100 }, (_, index) => `line ${index}`).join("\n");

  it("returns text that fits unchanged", () => {
    expect(truncateToLimit(lines, { budget: 10_000, unit: "utf16-units" }, "cut")).toBe(lines);
  });

  it.each([40, 100, 333, 500])(
    "cuts to %i units at a line, with the note on its own line",
    (budget) => {
      const out = truncateToLimit(
        lines,
        { budget, unit: "utf16-units" },
        (n) => `… ${n} more lines`,
      );
      expect(out.length).toBeLessThanOrEqual(budget);
      const [note, ...kept] = out.split("\n").reverse();
      expect(note).toBe(`… ${100 - kept.length} more lines`);
      expect(kept.reverse()).toEqual(lines.split("\n").slice(0, kept.length));
    },
  );

  it("takes a fixed note too", () => {
    expect(truncateToLimit("aaa\nbbb\nccc", { budget: 9, unit: "utf16-units" }, "[cut]")).toBe(
      "aaa\n[cut]",
    );
  });

  it("cuts the note itself when nothing else fits", () => {
    expect(truncateToLimit("aaaa\nbbbb", { budget: 3, unit: "utf16-units" }, "[cut]")).toBe("[cu");
  });

  it("counts bytes when asked", () => {
    const out = truncateToLimit("ééé\nééé\nééé", { budget: 14, unit: "utf8-bytes" }, "…");
    expect(out).toBe("ééé\n…");
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(14);
  });
});
