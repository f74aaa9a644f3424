export const APPLY_REQUIREMENTS = ["approved", "mergeable", "undiverged"] as const;
export type ApplyRequirement = (typeof APPLY_REQUIREMENTS)[number];

export interface Review {
  user: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  submittedAt: string;
}

export interface PullRequestFacts {
  author: string;
  reviews: readonly Review[];
  /** GitHub's `mergeable`: null while it is still computing. */
  mergeable: boolean | null;
  /** Commits of the base branch the head does not contain. */
  behindBy: number;
}

/**
 * Each reviewer's latest review that says something about approval. A comment-only review does
 * not withdraw an approval (GitHub treats it the same way); a dismissal does.
 */
export function latestReviewStates(reviews: readonly Review[]): Map<string, Review["state"]> {
  const latest = new Map<string, Review>();
  for (const review of reviews) {
    if (review.state === "COMMENTED" || review.state === "PENDING") continue;
    const previous = latest.get(review.user);
    if (!previous || previous.submittedAt <= review.submittedAt) latest.set(review.user, review);
  }
  return new Map([...latest].map(([user, review]) => [user, review.state]));
}

/** The requirements a pull request does not meet, in the order they are configured. */
export function evaluateRequirements(
  required: readonly ApplyRequirement[],
  facts: PullRequestFacts,
): ApplyRequirement[] {
  const approvers = [...latestReviewStates(facts.reviews)]
    .filter(([user, state]) => state === "APPROVED" && user !== facts.author)
    .map(([user]) => user);
  const met: Record<ApplyRequirement, boolean> = {
    approved: approvers.length > 0,
    mergeable: facts.mergeable === true,
    undiverged: facts.behindBy === 0,
  };
  return required.filter((requirement) => !met[requirement]);
}
