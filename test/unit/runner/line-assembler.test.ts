import { describe, expect, it } from "vitest";
import { createLineAssembler, MAX_LINE_CHARS } from "../../../src/runner/line-assembler.js";

function assemble(chunks: string[], maxChars?: number): string[] {
  const lines: string[] = [];
  const assembler = createLineAssembler((line) => lines.push(line), maxChars);
  for (const chunk of chunks) assembler.push(chunk);
  assembler.end();
  return lines;
}

describe("createLineAssembler", () => {
  it("joins lines split across chunks and drops a CR before the break", () => {
    expect(assemble(["one\r\ntw", "o\nthr", "ee"])).toEqual(["one", "two", "three"]);
    expect(assemble(["a\n", "\n", "b\n"])).toEqual(["a", "", "b"]);
    expect(assemble([])).toEqual([]);
  });

  it("cuts a line past the limit, at whitespace when there is some near the cut", () => {
    const token = "ghp_" + "x".repeat(36);
    const line = "a".repeat(90) + " " + token + " tail";
    const [cut] = assemble([line + "\n"], 100);
    // The token straddles the limit: it goes whole, not its first half.
    expect(cut).toBe(
      `${"a".repeat(90)} … [line cut: ${line.length - 90} more characters not logged]`,
    );
    const [solid] = assemble(["z".repeat(250)], 100);
    expect(solid).toBe(`${"z".repeat(100)} … [line cut: 150 more characters not logged]`);
  });

  it("takes time linear in a line's length, however it is chunked", () => {
    const chunk = "0".repeat(64 * 1024);
    const lines: string[] = [];
    const assembler = createLineAssembler((line) => lines.push(line));
    const started = performance.now();
    // 256 MiB on one line, in the pipe-sized chunks a process delivers.
    for (let i = 0; i < 4096; i++) assembler.push(chunk);
    assembler.push("\nnext\n");
    assembler.end();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.length).toBeLessThan(MAX_LINE_CHARS + 100);
    expect(lines[0]).toMatch(/line cut: \d+ more characters not logged\]$/);
    expect(lines[1]).toBe("next");
  });
});
