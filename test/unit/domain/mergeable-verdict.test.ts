import { describe, expect, it } from "vitest";
import type { ApprovalFacts } from "../../../src/domain/evaluate-approval.js";
import { type BlockedFacts, mergeableVerdict } from "../../../src/domain/mergeable-verdict.js";

const HEAD = "a".repeat(40);
const approval: ApprovalFacts = {
  author: "alice",
  reviews: [],
  writers: new Set(["bob"]),
  plannedSha: HEAD,
  required: 1,
};
const bosunRequired = { type: "required_status_checks", contexts: ["bosun/dev", "ci"] };
const blocked = (overrides: Partial<BlockedFacts> = {}): BlockedFacts => ({
  rules: [bosunRequired],
  checks: [
    { name: "bosun/dev", status: "completed", conclusion: "action_required" },
    { name: "ci", status: "completed", conclusion: "success" },
  ],
  approval,
  ...overrides,
});

describe("mergeableVerdict", () => {
  it("takes GitHub's clean, unstable and has_hooks as mergeable, and every other state at its word", () => {
    for (const state of ["clean", "unstable", "has_hooks"]) {
      expect(mergeableVerdict(state)).toEqual({ mergeable: true });
    }
    for (const state of ["behind", "dirty", "unknown", "draft", "something-new"]) {
      expect(mergeableVerdict(state, blocked())).toEqual({
        mergeable: false,
        state,
        blockedBy: [],
      });
    }
  });

  it("leaves Bosun's own required checks out of a blocked pull request", () => {
    expect(mergeableVerdict("blocked", blocked())).toEqual({ mergeable: true });
  });

  it("stays blocked by another required check that has not passed, or has no run", () => {
    const failing = blocked({
      checks: [
        { name: "ci", status: "completed", conclusion: "failure" },
        { name: "ci", status: "completed", conclusion: "success" },
      ],
    });
    expect(mergeableVerdict("blocked", failing)).toEqual({
      mergeable: false,
      state: "blocked",
      blockedBy: ["required check `ci` has not passed"],
    });
    expect(mergeableVerdict("blocked", blocked({ checks: [] }))).toMatchObject({
      blockedBy: ["required check `ci` has not passed"],
    });
    const pending = blocked({ checks: [{ name: "ci", status: "in_progress", conclusion: null }] });
    expect(mergeableVerdict("blocked", pending)).toMatchObject({ mergeable: false });
  });

  it("judges a required review by Bosun's stricter count of approvals", () => {
    const rules = [
      bosunRequired,
      { type: "pull_request", requiredApprovals: 1, othersRequired: false },
    ];
    expect(mergeableVerdict("blocked", blocked({ rules }))).toEqual({
      mergeable: false,
      state: "blocked",
      blockedBy: ["1 required approving review(s)"],
    });
    const approved = {
      ...approval,
      reviews: [
        { user: "bob", state: "APPROVED" as const, commitId: HEAD, submittedAt: "2026-01-01" },
      ],
    };
    expect(mergeableVerdict("blocked", blocked({ rules, approval: approved }))).toEqual({
      mergeable: true,
    });
    const codeOwners = [
      bosunRequired,
      { type: "pull_request", requiredApprovals: 0, othersRequired: true },
    ];
    expect(
      mergeableVerdict("blocked", blocked({ rules: codeOwners, approval: approved })),
    ).toMatchObject({ mergeable: false });
  });

  it("takes GitHub's word when a rule it cannot judge, or nothing it can see, blocks", () => {
    const rules = [bosunRequired, { type: "required_deployments" }, { type: "deletion" }];
    expect(mergeableVerdict("blocked", blocked({ rules }))).toEqual({
      mergeable: false,
      state: "blocked",
      blockedBy: ["the branch rule `required_deployments`"],
    });
    expect(mergeableVerdict("blocked", blocked({ rules: [] }))).toEqual({
      mergeable: false,
      state: "blocked",
      blockedBy: ["branch protection"],
    });
  });
});
