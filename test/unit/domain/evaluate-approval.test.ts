import { describe, expect, it } from "vitest";
import {
  evaluateApproval,
  reviewersToCheck,
  type ApprovalFacts,
  type Review,
} from "../../../src/domain/evaluate-approval.js";
import { approval, at, OLDER, PLANNED, review } from "../../helpers/review-facts.js";

describe("evaluateApproval", () => {
  it.each<[string, Review[], Partial<ApprovalFacts>, boolean]>([
    ["no reviews", [], {}, false],
    ["a writer's approval of the planned commit", [review("bob", "APPROVED", at(1))], {}, true],
    ["only the author's own approval", [review("alice", "APPROVED", at(1))], {}, false],
    ["a reader's approval", [review("mallory", "APPROVED", at(1))], {}, false],
    ["an approval of an older commit", [review("bob", "APPROVED", at(1), OLDER)], {}, false],
    [
      "an approval whose commit GitHub no longer knows",
      [review("bob", "APPROVED", at(1), null)],
      {},
      false,
    ],
    [
      "an approval later withdrawn by changes requested",
      [review("bob", "APPROVED", at(1)), review("bob", "CHANGES_REQUESTED", at(2))],
      {},
      false,
    ],
    [
      "an approval followed by a comment-only review",
      [review("bob", "APPROVED", at(1)), review("bob", "COMMENTED", at(2))],
      {},
      true,
    ],
    [
      "an approval that was dismissed",
      [review("bob", "APPROVED", at(1)), review("bob", "DISMISSED", at(2))],
      {},
      false,
    ],
    [
      "changes requested, then approved",
      [review("bob", "CHANGES_REQUESTED", at(1)), review("bob", "APPROVED", at(3))],
      {},
      true,
    ],
    [
      "an approval and another writer's changes requested",
      [review("bob", "APPROVED", at(1)), review("carol", "CHANGES_REQUESTED", at(2))],
      {},
      false,
    ],
    [
      "an approval and a reader's changes requested",
      [review("bob", "APPROVED", at(1)), review("mallory", "CHANGES_REQUESTED", at(2))],
      {},
      true,
    ],
    [
      "one approval where two are required",
      [review("bob", "APPROVED", at(1))],
      { required: 2 },
      false,
    ],
    [
      "two writers' approvals where two are required",
      [review("bob", "APPROVED", at(1)), review("carol", "APPROVED", at(2))],
      { required: 2 },
      true,
    ],
    [
      "the same writer approving twice where two are required",
      [review("bob", "APPROVED", at(1)), review("bob", "APPROVED", at(2))],
      { required: 2 },
      false,
    ],
    [
      "an approval of the older commit, then of the planned one",
      [review("bob", "APPROVED", at(1), OLDER), review("bob", "APPROVED", at(2))],
      {},
      true,
    ],
    [
      "an approval of the planned commit, then of an older one (GitHub's list order)",
      [review("bob", "APPROVED", at(2)), review("bob", "APPROVED", at(1), OLDER)],
      {},
      true,
    ],
  ])("%s", (_, reviews, overrides, met) => {
    expect(evaluateApproval(approval(reviews, overrides)).met).toBe(met);
  });

  it("says who approved which commit and why what did not count", () => {
    expect(
      evaluateApproval(
        approval(
          [
            review("carol", "APPROVED", at(1), OLDER),
            review("mallory", "APPROVED", at(2)),
            review("alice", "APPROVED", at(3)),
            review("bob", "APPROVED", at(4)),
            review("dave", "CHANGES_REQUESTED", at(5)),
          ],
          { required: 2 },
        ),
      ),
    ).toEqual({
      plannedSha: PLANNED,
      required: 2,
      approvedBy: [{ user: "bob", commitId: PLANNED }],
      notCounted: [
        { user: "carol", commitId: OLDER, reason: "other-commit" },
        { user: "mallory", commitId: PLANNED, reason: "no-write-permission" },
        { user: "alice", commitId: PLANNED, reason: "author" },
      ],
      changesRequestedBy: ["dave"],
      met: false,
    });
  });

  it("asks permissions only of reviewers whose latest review approves or blocks", () => {
    expect(
      reviewersToCheck([
        review("bob", "APPROVED", at(1)),
        review("bob", "DISMISSED", at(2)),
        review("carol", "COMMENTED", at(1)),
        review("dave", "CHANGES_REQUESTED", at(1)),
        review("erin", "APPROVED", at(1)),
      ]),
    ).toEqual(["dave", "erin"]);
  });
});
