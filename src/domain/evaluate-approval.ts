export interface Review {
  user: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  /** The commit the review was given on; null when GitHub no longer knows it. */
  commitId: string | null;
  submittedAt: string;
}

/**
 * Why an approving review does not count (docs/design.md "Trust"): only a writer other than the
 * author, approving the very commit that was planned, approves.
 */
export const NOT_COUNTED_REASONS = ["author", "no-write-permission", "other-commit"] as const;
export type NotCountedReason = (typeof NOT_COUNTED_REASONS)[number];

export interface ApprovalVerdict {
  /** The commit that was planned: the one approvals must name. */
  plannedSha: string;
  /** Distinct approvals needed (`apply.approvals`). */
  required: number;
  /** Writers whose latest review approves the planned commit, in the order they approved. */
  approvedBy: { user: string; commitId: string }[];
  /** Latest approving reviews that do not count, and why. */
  notCounted: { user: string; commitId: string | null; reason: NotCountedReason }[];
  /** Writers whose latest review requests changes: each blocks, whatever the approvals. */
  changesRequestedBy: string[];
  met: boolean;
}

export interface ApprovalFacts {
  author: string;
  reviews: readonly Review[];
  /**
   * Reviewers with write permission (or above). Only reviewers whose latest review approves or
   * requests changes need to be known; anyone absent is treated as unable to write.
   */
  writers: ReadonlySet<string>;
  /** The pull request's head the plan was made at. */
  plannedSha: string;
  required: number;
}

/**
 * Each reviewer's latest review that says something about approval (docs/design.md invariant 7).
 * A comment-only review does not withdraw an approval (GitHub treats it the same way); a
 * dismissal does. Of reviews submitted at the same moment, the later in GitHub's list wins.
 */
export function latestReviews(reviews: readonly Review[]): Map<string, Review> {
  const latest = new Map<string, Review>();
  for (const review of reviews) {
    if (review.state === "COMMENTED" || review.state === "PENDING") continue;
    const previous = latest.get(review.user);
    if (!previous || previous.submittedAt <= review.submittedAt) latest.set(review.user, review);
  }
  return latest;
}

/** Whose permission an approval verdict depends on: reviewers whose latest review approves or blocks. */
export function reviewersToCheck(reviews: readonly Review[]): string[] {
  return [...latestReviews(reviews).values()]
    .filter((review) => review.state === "APPROVED" || review.state === "CHANGES_REQUESTED")
    .map((review) => review.user)
    .sort();
}

/**
 * The `approved` requirement and `approve_on_review` (docs/design.md "Trust"): the latest review
 * of each reviewer counts; an approval counts when it comes from a writer other than the author
 * and approves the planned commit (an approval of an older commit does not carry over); a
 * writer's latest "changes requested" blocks. A reader's request for changes does not block:
 * on a public repository anyone could otherwise hold every apply.
 */
export function evaluateApproval(facts: ApprovalFacts): ApprovalVerdict {
  const approvedBy: ApprovalVerdict["approvedBy"] = [];
  const notCounted: ApprovalVerdict["notCounted"] = [];
  const changesRequestedBy: string[] = [];
  const latest = [...latestReviews(facts.reviews).values()].sort((a, b) =>
    a.submittedAt.localeCompare(b.submittedAt),
  );
  for (const review of latest) {
    const writer = facts.writers.has(review.user);
    if (review.state === "CHANGES_REQUESTED") {
      if (writer && review.user !== facts.author) changesRequestedBy.push(review.user);
      continue;
    }
    if (review.state !== "APPROVED") continue;
    const reason: NotCountedReason | undefined =
      review.user === facts.author
        ? "author"
        : !writer
          ? "no-write-permission"
          : review.commitId !== facts.plannedSha
            ? "other-commit"
            : undefined;
    if (reason === undefined) approvedBy.push({ user: review.user, commitId: facts.plannedSha });
    else notCounted.push({ user: review.user, commitId: review.commitId, reason });
  }
  return {
    plannedSha: facts.plannedSha,
    required: facts.required,
    approvedBy,
    notCounted,
    changesRequestedBy,
    met: changesRequestedBy.length === 0 && approvedBy.length >= facts.required,
  };
}
