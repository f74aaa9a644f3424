import { describe, expect, it } from "vitest";
import { evaluateRequirements } from "../../../src/domain/evaluate-requirements.js";
import type { MergeableVerdict } from "../../../src/domain/mergeable-verdict.js";
import { approval, at, review } from "../../helpers/review-facts.js";

describe("evaluateRequirements", () => {
  const facts = (overrides = {}) => ({
    approval: approval([]),
    mergeable: { mergeable: true } as MergeableVerdict,
    behindBy: 0,
    ...overrides,
  });

  it("names every unmet requirement in the configured order, with what is missing", () => {
    expect(
      evaluateRequirements(
        ["undiverged", "mergeable", "approved"],
        facts({
          mergeable: {
            mergeable: false,
            state: "blocked",
            blockedBy: ["required check `ci` has not passed"],
          },
          behindBy: 3,
        }),
      ),
    ).toEqual([
      { requirement: "undiverged", behindBy: 3 },
      {
        requirement: "mergeable",
        state: "blocked",
        blockedBy: ["required check `ci` has not passed"],
      },
      { requirement: "approved", approval: expect.objectContaining({ met: false, required: 1 }) },
    ]);
    expect(
      evaluateRequirements(
        [],
        facts({ mergeable: { mergeable: false, state: "dirty", blockedBy: [] }, behindBy: 3 }),
      ),
    ).toEqual([]);
  });

  it("meets approved with a writer's approval of the planned commit", () => {
    expect(
      evaluateRequirements(
        ["approved"],
        facts({ approval: approval([review("bob", "APPROVED", at(1))]) }),
      ),
    ).toEqual([]);
  });
});
