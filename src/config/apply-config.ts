import { z } from "zod";
import { APPLY_REQUIREMENTS } from "../domain/evaluate-requirements.js";
import { uniqueList } from "./config-fields.js";

export const ApplyRequirement = z
  .enum(APPLY_REQUIREMENTS)
  .describe(
    "approved: the latest review of enough users with write permission (apply.approvals, other than the author) approves the very commit that was planned, and no such user's latest review requests changes. mergeable: GitHub reports the pull request mergeable (its mergeable_state: no conflicts, not behind, required reviews, checks and rules satisfied), Bosun's own bosun/* checks left out. undiverged: the pull request's branch contains the tracked branch's head.",
  );
export type ApplyRequirement = z.infer<typeof ApplyRequirement>;

export const ApplyConfig = z
  .strictObject({
    requirements: uniqueList(ApplyRequirement, "requirement")
      .default([])
      .describe(
        "What must hold before a pull request's plan is applied, on top of the rule that only users with write permission apply. Any subset of approved, mergeable, undiverged.",
      ),
    approvals: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(1)
      .describe(
        "How many distinct users with write permission, other than the author, must approve the planned commit for the approved requirement (and before approve_on_review confirms).",
      ),
    approve_on_review: z
      .boolean()
      .default(false)
      .describe(
        "Confirm an unconfirmed run when a user with write permission approves the planned commit, as if they had commented /apply; the requirements (approvals counted as for approved) must hold.",
      ),
    allow_forks: z
      .boolean()
      .default(false)
      .describe(
        "Plan pull requests from forks. A plan runs the pull request's code, so this lets anyone who can fork the repository run code with the plan's credentials.",
      ),
  })
  .describe(
    "Who may apply and when. Always read from the tracked branch, never from the pull request.",
  );
export type ApplyConfig = z.infer<typeof ApplyConfig>;
