import { describe, expect, it } from "vitest";
import {
  engineLabel,
  newestSatisfying,
  parseEngineConstraint,
  type EngineConstraint,
} from "../../../src/domain/engine-constraint.js";

function constraint(text: string): EngineConstraint {
  const parsed = parseEngineConstraint(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.constraint;
}

const INSTALLED = ["1.9.1", "1.10.0", "1.11.0", "1.11.5", "1.12.0-beta1", "2.0.0", "not-a-version"];

describe("newestSatisfying", () => {
  it.each([
    ["~> 1.11", "1.11.5"],
    ["~> 1.11.0", "1.11.5"],
    ["~> 1.10.0", "1.10.0"],
    ["~> 1", "1.11.5"],
    [">= 1.9, < 1.11", "1.10.0"],
    [">= 1.9,<1.12", "1.11.5"],
    ["1.11.0", "1.11.0"],
    ["= 1.11.0", "1.11.0"],
    ["!= 2.0.0", "1.11.5"],
    ["> 1.11.5", "2.0.0"],
    ["<= 1.11", "1.11.0"],
    ["< 1.10", "1.9.1"],
    ["1.12.0-beta1", "1.12.0-beta1"],
    ["v1.10.0", "1.10.0"],
  ])("%s picks %s", (text, expected) => {
    expect(newestSatisfying(INSTALLED, constraint(text))).toBe(expected);
  });

  it.each([["~> 1.12"], [">= 1.12, < 2.0"], ["1.8.0"], ["~> 1.11.6"]])(
    "%s picks nothing: no release satisfies it and a prerelease needs its exact name",
    (text) => {
      expect(newestSatisfying(INSTALLED, constraint(text))).toBeUndefined();
    },
  );

  it("orders prereleases before their release and numerically among themselves", () => {
    const versions = ["1.12.0-beta2", "1.12.0-beta10", "1.12.0-alpha1"];
    expect(newestSatisfying(versions, constraint("1.12.0-beta10"))).toBe("1.12.0-beta10");
    expect(newestSatisfying([...versions, "1.12.0"], constraint(">= 1.11"))).toBe("1.12.0");
  });
});

describe("parseEngineConstraint", () => {
  it.each([[""], ["~>"], ["latest"], [">= 1.9,"], ["=> 1.0"], ["1.2.3.4"], ["1.x"]])(
    "refuses %j with a problem that shows the syntax",
    (text) => {
      const parsed = parseEngineConstraint(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok)
        expect(parsed.problem).toMatch(/is not a version constraint: write an operator/);
    },
  );
});

describe("engineLabel", () => {
  it("names the engine the way its vendor does", () => {
    expect(engineLabel("opentofu", "1.11.5")).toBe("OpenTofu 1.11.5");
    expect(engineLabel("terraform", "1.14.6")).toBe("Terraform 1.14.6");
  });
});
