import type { ApprovalFacts, Review } from "../../src/domain/evaluate-approval.js";

/** Reviews and approval facts for the domain's approval and requirement tests. */
export const PLANNED = "a".repeat(40);
export const OLDER = "b".repeat(40);

export const review = (
  user: string,
  state: Review["state"],
  submittedAt: string,
  commitId: string | null = PLANNED,
): Review => ({ user, state, commitId, submittedAt });

/** The approval facts of a pull request by alice, with bob, carol and dave able to write. */
export const approval = (
  reviews: Review[],
  overrides: Partial<ApprovalFacts> = {},
): ApprovalFacts => ({
  author: "alice",
  reviews,
  writers: new Set(["alice", "bob", "carol", "dave"]),
  plannedSha: PLANNED,
  required: 1,
  ...overrides,
});

/** Midnight of the given day of January 2026, as GitHub writes submitted_at. */
export const at = (day: number) => `2026-01-0${day}T00:00:00Z`;
