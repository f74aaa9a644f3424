import { z } from "zod";

const Repository = z.object({
  id: z.number().int(),
  full_name: z.string(),
  default_branch: z.string(),
});

/** The fields of a `pull_request` delivery Bosun uses. */
export const PullRequestEvent = z.object({
  action: z.string(),
  installation: z.object({ id: z.number().int() }),
  repository: Repository,
  sender: z.object({ login: z.string() }),
  pull_request: z.object({
    number: z.number().int(),
    merged: z.boolean().nullable().optional(),
    user: z.object({ login: z.string() }),
    head: z.object({ sha: z.string(), repo: z.object({ full_name: z.string() }).nullable() }),
    base: z.object({ sha: z.string(), ref: z.string(), repo: z.object({ full_name: z.string() }) }),
  }),
});
export type PullRequestEvent = z.infer<typeof PullRequestEvent>;

export const IssueCommentEvent = z.object({
  action: z.string(),
  installation: z.object({ id: z.number().int() }),
  repository: Repository,
  issue: z.object({ number: z.number().int(), pull_request: z.object({}).loose().optional() }),
  comment: z.object({
    id: z.number().int(),
    body: z.string().nullable(),
    user: z.object({ login: z.string(), type: z.string() }),
    created_at: z.string(),
  }),
});
export type IssueCommentEvent = z.infer<typeof IssueCommentEvent>;

export const PullRequestReviewEvent = z.object({
  action: z.string(),
  installation: z.object({ id: z.number().int() }),
  repository: Repository,
  review: z.object({
    state: z.string(),
    user: z.object({ login: z.string() }),
    commit_id: z.string().nullable(),
    submitted_at: z.string().nullable(),
  }),
  pull_request: z.object({ number: z.number().int() }),
});
export type PullRequestReviewEvent = z.infer<typeof PullRequestReviewEvent>;

export const CheckRunEvent = z.object({
  action: z.string(),
  installation: z.object({ id: z.number().int() }),
  repository: Repository,
  sender: z.object({ login: z.string() }),
  check_run: z.object({ id: z.number().int(), name: z.string() }),
  requested_action: z.object({ identifier: z.string() }).optional(),
});
export type CheckRunEvent = z.infer<typeof CheckRunEvent>;

export function repositoryOf(payload: { repository: z.infer<typeof Repository> }) {
  return {
    id: payload.repository.id,
    fullName: payload.repository.full_name,
    defaultBranch: payload.repository.default_branch,
  };
}
