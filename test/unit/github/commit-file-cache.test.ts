import { describe, expect, it } from "vitest";
import { createCommitFileCache, isCommitSha } from "../../../src/github/commit-file-cache.js";

const sha = (digit: string) => digit.repeat(40);

describe("createCommitFileCache", () => {
  it("remembers a file at a full commit SHA, and a file not found, per repository", () => {
    const cache = createCommitFileCache();
    cache.set("acme/infra", "bosun.yml", sha("a"), "stacks: []");
    cache.set("acme/infra", "bosun.yml", sha("b"), undefined);
    expect(cache.get("acme/infra", "bosun.yml", sha("a"))).toEqual({
      found: true,
      content: "stacks: []",
    });
    expect(cache.get("ACME/Infra", "bosun.yml", sha("a"))).toEqual({
      found: true,
      content: "stacks: []",
    });
    expect(cache.get("acme/infra", "bosun.yml", sha("b"))).toEqual({
      found: true,
      content: undefined,
    });
    expect(cache.get("acme/other", "bosun.yml", sha("a"))).toEqual({ found: false });
    expect(cache.get("acme/infra", "Bosun.yml", sha("a"))).toEqual({ found: false });
    expect(cache.get("acme/infra", "bosun.yml", sha("c"))).toEqual({ found: false });
  });

  it("never remembers a branch, a tag or a short SHA", () => {
    const cache = createCommitFileCache();
    for (const ref of ["main", "v1.0", "aaaaaaa", sha("A"), `${sha("a")}0`]) {
      cache.set("acme/infra", "bosun.yml", ref, "x");
      expect(cache.get("acme/infra", "bosun.yml", ref)).toEqual({ found: false });
    }
    expect(isCommitSha(sha("0"))).toBe(true);
    expect(isCommitSha("main")).toBe(false);
  });

  it("lets the least recently used entry go beyond its entry limit", () => {
    const cache = createCommitFileCache({ maxEntries: 2 });
    cache.set("acme/infra", "bosun.yml", sha("a"), "a");
    cache.set("acme/infra", "bosun.yml", sha("b"), "b");
    expect(cache.get("acme/infra", "bosun.yml", sha("a")).found).toBe(true);
    cache.set("acme/infra", "bosun.yml", sha("c"), "c");
    expect(cache.get("acme/infra", "bosun.yml", sha("b")).found).toBe(false);
    expect(cache.get("acme/infra", "bosun.yml", sha("a")).found).toBe(true);
    expect(cache.get("acme/infra", "bosun.yml", sha("c")).found).toBe(true);
  });

  it("keeps its content within its character limit, and never a file larger than it", () => {
    const cache = createCommitFileCache({ maxChars: 10 });
    cache.set("acme/infra", "bosun.yml", sha("a"), "123456");
    cache.set("acme/infra", "bosun.yml", sha("b"), "1234");
    expect(cache.get("acme/infra", "bosun.yml", sha("a")).found).toBe(true);
    cache.set("acme/infra", "bosun.yml", sha("c"), "12");
    expect(cache.get("acme/infra", "bosun.yml", sha("b")).found).toBe(false);
    cache.set("acme/infra", "bosun.yml", sha("d"), "12345678901");
    expect(cache.get("acme/infra", "bosun.yml", sha("d")).found).toBe(false);
    expect(cache.get("acme/infra", "bosun.yml", sha("a")).found).toBe(true);
  });

  it("refuses limits that are not positive integers", () => {
    expect(() => createCommitFileCache({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => createCommitFileCache({ maxChars: Number.NaN })).toThrow(/maxChars/);
  });
});
