import { describe, expect, it } from "vitest";
import { compileGlob } from "../../../src/config/compile-glob.js";

const matches = (glob: string, path: string): boolean => {
  const compiled = compileGlob(glob);
  if (!compiled.ok) throw new Error(compiled.problem);
  return compiled.matches(path);
};

describe("compileGlob", () => {
  it.each([
    ["**", "a/b/c", true],
    ["**/x.tf", "x.tf", true],
    ["**/x.tf", "a/b/x.tf", true],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["a/**/b", "ab", false],
    ["modules/**", "modules", true],
    ["modules/**", "modules/a/b.tf", true],
    ["modules/**", "modulesx/a", false],
    ["a**b", "axxb", true],
    ["a**b", "ax/xb", false],
    ["?.tf", "a.tf", true],
    ["?.tf", "/.tf", false],
    ["[ab].tf", "b.tf", true],
    ["[!ab].tf", "c.tf", true],
    ["[!ab].tf", "a.tf", false],
    ["[a-c].tf", "b.tf", true],
    ["[.].tf", "..tf", true],
    ["[]].tf", "].tf", true],
    ["{a,b{c,d}}.tf", "bd.tf", true],
    ["{a,b{c,d}}.tf", "b.tf", false],
    ["{a}.tf", "{a}.tf", true],
    ["a.tf", "aXtf", false],
    ["(a|b).tf", "(a|b).tf", true],
    ["\\*.tf", "*.tf", true],
    ["\\*.tf", "a.tf", false],
    ["[unclosed", "[unclosed", true],
    ["é*.tf", "éa.tf", true],
  ])("%s against %s: %s", (glob, path, expected) => {
    expect(matches(glob, path)).toBe(expected);
  });

  it.each([
    ["+(a|aa)+(a|aa)+(a|aa)b", /extglob/],
    ["*(*(*(a)))", /extglob/],
    ["@(x).tf", /extglob/],
    ["!(x).tf", /extglob/],
    ["?(x).tf", /extglob/],
    [`${"{a,".repeat(9)}b${"}".repeat(9)}`, /braces nested more than 8 deep/],
  ])("refuses %s, naming it", (glob, problem) => {
    const compiled = compileGlob(glob);
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) {
      expect(compiled.problem).toMatch(problem);
      expect(compiled.problem).toContain(JSON.stringify(glob).slice(1, 20));
    }
  });

  // Patterns that take a backtracking engine exponential or high-polynomial time: these finish
  // (linear in the path), which a test's timeout would otherwise catch.
  it.each([
    ["*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(100_000)],
    [`${"{a,a}".repeat(40)}b`, "a".repeat(40)],
    [`**/${"*a".repeat(30)}/**/x`, `${"a/".repeat(5_000)}${"a".repeat(50_000)}`],
  ])("matches %s against a hostile path in linear time", (glob, path) => {
    expect(matches(glob, path)).toBe(false);
  });
});
