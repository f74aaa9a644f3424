import { describe, expect, it } from "vitest";
import { codeFence } from "../../../src/render/code-fence.js";
import { codeSpan } from "../../../src/render/code-span.js";
import { escapeHtml } from "../../../src/render/escape-html.js";
import { escapeMarkdown } from "../../../src/render/escape-markdown.js";
import { fencedExcerpt } from "../../../src/render/fenced-excerpt.js";
import { neutralizeReferences } from "../../../src/render/neutralize-references.js";
import { planDiff } from "../../../src/render/plan-diff.js";
import { sanitizeText } from "../../../src/render/sanitize-text.js";

describe("escapeMarkdown", () => {
  it.each([
    ["plain text", "network@dev", "network@dev"],
    ["emphasis and code", "*a* _b_ `c`", "\\*a\\* \\_b\\_ \\`c\\`"],
    ["links and images", "![x](javascript:y) [z]", "\\!\\[x\\]\\(javascript:y\\) \\[z\\]"],
    ["HTML", "<b>x</b> </details>", "\\<b\\>x\\</b\\> \\</details\\>"],
    ["entities", "&lt; &amp;", "\\&lt; \\&amp;"],
    ["table pipes", "a | b", "a \\| b"],
    ["line breaks", "one\ntwo\r\n  three", "one two three"],
    ["a heading marker", "# not a heading", "\\# not a heading"],
    ["a list marker", "- not a list", "\\- not a list"],
    ["an ordered list marker", "1. not a list", "1\\. not a list"],
    ["mentions", "ping @octocat and @org/team", "ping @&#8203;octocat and @&#8203;org/team"],
    [
      "issue references",
      "fixes #12, see acme/infra#3",
      "fixes #&#8203;12, see acme/infra#&#8203;3",
    ],
    ["an email address, left alone", "ops@example.com", "ops@example.com"],
    ["backslashes", "C:\\path", "C:\\\\path"],
  ])("escapes %s", (_case, input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });
});

describe("escapeHtml", () => {
  it.each([
    ["tags", "<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"],
    ["quotes and ampersands", `"a" & 'b'`, "&quot;a&quot; &amp; &#39;b&#39;"],
    ["line breaks, which would end the HTML block", "a\n\nb", "a b"],
    ["mentions", "@octocat", "@&#8203;octocat"],
    ["Markdown, left as it is (not processed in HTML)", "*a* `b`", "*a* `b`"],
  ])("escapes %s", (_case, input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });
});

describe("codeSpan", () => {
  it.each([
    ["plain", "main.tf", "`main.tf`"],
    ["a backtick", "a`b", "``a`b``"],
    ["a run of backticks", "a```b", "````a```b````"],
    ["a leading backtick, padded", "`a", "`` `a ``"],
    ["line breaks", "a\nb", "`a b`"],
    ["empty", "", "` `"],
  ])("quotes %s", (_case, input, expected) => {
    expect(codeSpan(input)).toBe(expected);
  });

  it("escapes pipes in a table cell only", () => {
    expect(codeSpan("a | b", { inTable: true })).toBe("`a \\| b`");
    expect(codeSpan("a | b")).toBe("`a | b`");
  });
});

describe("codeFence", () => {
  it.each([
    ["plain", "x = 1", "diff", "```diff\nx = 1\n```"],
    ["a fence inside", "```\n</details>\n```", "", "````\n```\n</details>\n```\n````"],
    ["a longer fence inside", "a ````` b", "text", "``````text\na ````` b\n``````"],
    ["trailing line breaks", "a\n\n\n", "", "```\na\n```"],
    ["nothing", "", "", "```\n```"],
  ])("fences %s", (_case, input, info, expected) => {
    expect(codeFence(input, info)).toBe(expected);
  });
});

describe("sanitizeText", () => {
  it.each([
    ["CRLF", "a\r\nb\rc", "a\nb\nc"],
    ["colour codes", "\u001b[1m\u001b[31mError:\u001b[0m bad", "Error: bad"],
    ["a hyperlink sequence", "\u001b]8;;https://x\u0007link\u001b]8;;\u0007", "link"],
    ["other control characters", "a\u0000b\u0007c\u007fd\tt", "abcd\tt"],
    ["bidi overrides, made visible", "admin\u202e\u2066txt", "admin\ufffd\ufffdtxt"],
  ])("cleans %s", (_case, input, expected) => {
    expect(sanitizeText(input)).toBe(expected);
  });
});

describe("neutralizeReferences", () => {
  it("leaves code-like and mid-word sigils alone", () => {
    expect(neutralizeReferences("a@b c#1 @ # #!")).toBe("a@b c#1 @ # #!");
  });
});

describe("planDiff", () => {
  it.each([
    ["a create", '  + resource "a" "b" {', '+   resource "a" "b" {'],
    ["a destroy", '      - bucket = "x" -> null', '-       bucket = "x" -> null'],
    ["an update", "  ~ tags = {", "!   tags = {"],
    ["a delete-then-create replace", '-/+ resource "a" "b" {', '!   resource "a" "b" {'],
    ["a create-then-delete replace", '  +/- resource "a" "b" {', '!     resource "a" "b" {'],
    ["a read, left alone", ' <= data "a" "b" {', ' <= data "a" "b" {'],
    [
      "a comment, left alone",
      "  # aws_vpc.main will be created",
      "  # aws_vpc.main will be created",
    ],
    ["a marker without a space, left alone", "  +foo", "  +foo"],
    [
      "a summary line, left alone",
      "Plan: 1 to add, 0 to change, 0 to destroy.",
      "Plan: 1 to add, 0 to change, 0 to destroy.",
    ],
  ])("moves the marker of %s to the first column", (_case, line, expected) => {
    expect(planDiff(line)).toBe(expected);
    expect(planDiff(line)).toHaveLength(line.length);
  });
});

describe("fencedExcerpt", () => {
  const note = (lines: number): string => `… ${lines} more lines: see the run`;
  const text = Array.from({ length: 50 }, (_, index) => `line ${index}`).join("\n");

  it("fences the whole text when it fits", () => {
    expect(fencedExcerpt(text, { budget: 1_000, unit: "utf16-units", note, info: "text" })).toBe(
      codeFence(text, "text"),
    );
  });

  it.each([60, 100, 200, 400])("cuts to %i with the note outside the fence", (budget) => {
    const out = fencedExcerpt(text, { budget, unit: "utf16-units", note, info: "text" });
    expect(out.length).toBeLessThanOrEqual(budget);
    expect(out).toMatch(/^```text\nline 0\n[\s\S]*\n```\n\n… \d+ more lines: see the run$/);
  });

  it("gives the note alone, or nothing, when no line fits", () => {
    expect(fencedExcerpt(text, { budget: 40, unit: "utf16-units", note })).toBe(
      "… 50 more lines: see the run",
    );
    expect(fencedExcerpt(text, { budget: 10, unit: "utf16-units", note })).toBe("");
  });
});
