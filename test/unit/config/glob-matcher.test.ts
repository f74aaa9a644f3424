import { describe, expect, it } from "vitest";
import { createGlobMatcher } from "../../../src/config/glob-matcher.js";
import { DEFAULT_WHEN_MODIFIED } from "../../../src/config/repo-config.js";

describe("createGlobMatcher", () => {
  const match = createGlobMatcher();

  it.each([
    ["**/*.tf", "main.tf", true],
    ["**/*.tf", "a/b/main.tf", true],
    ["**/*.tf", ".hidden/main.tf", true],
    ["**/*.tf", "a/.main.tf", true],
    ["**/*.tf", "main.tf.bak", false],
    ["**/*.tf", "main.tfvars", false],
    ["**/*.tfvars.json", "env/dev.tfvars.json", true],
    ["*.tf", "main.tf", true],
    ["*.tf", "sub/main.tf", false],
    ["env/*.tfvars", "env/dev.tfvars", true],
    ["env/*.tfvars", "other/env/dev.tfvars", false],
    ["**/{a,b}.tf", "x/b.tf", true],
    ["templates/**", "templates/x/y.tpl", true],
    ["**/*.tf", "a\\b.tf", true],
    ["a\\b.tf", "a/b.tf", false],
    // A leading ! is the caller's to interpret (the last matching pattern decides).
    ["!**/*.tf", "main.tf", false],
  ])("%s against %s: %s", (glob, path, expected) => {
    expect(match(glob, path)).toBe(expected);
  });

  it("matches the default patterns the way their names promise", () => {
    const watched = (path: string) => DEFAULT_WHEN_MODIFIED.some((glob) => match(glob, path));
    // The lock file pins provider versions: changing it changes what a plan does.
    const planInputs = [
      "main.tf",
      "main.tf.json",
      "x/main.tofu",
      "x/override.tofu.json",
      "dev.tfvars",
      "x/dev.tfvars.json",
      ".terraform.lock.hcl",
      "live/dev/terragrunt.hcl",
    ];
    expect(planInputs.every(watched)).toBe(true);
    expect(["README.md", "main.json", "x/notes.hcl"].some(watched)).toBe(false);
  });

  it("keeps its compiled patterns per matcher, not per process", () => {
    const first = createGlobMatcher();
    const second = createGlobMatcher();
    expect(first("*.tf", "a.tf")).toBe(true);
    expect(second("*.tf", "a.tf")).toBe(true);
  });
});
