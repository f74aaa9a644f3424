import { z } from "zod";
import { changedFileStatuses } from "../domain/affected-components.js";

/* The fields of GitHub's answers that Bosun uses, and nothing more. */

/**
 * https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user:
 * "`permission` provides the legacy base roles of admin, write, read, and none, where the maintain
 * role is mapped to write and the triage role is mapped to read. To determine the role assigned to
 * the collaborator, see the `role_name` attribute" (absent on older GitHub Enterprise Servers; a
 * custom role's name there falls back to its base role in `permission`).
 */
export const CollaboratorPermission = z.object({
  permission: z.enum(["admin", "write", "read", "none"]),
  role_name: z.string().optional(),
});

const ChangedFile = z.object({
  filename: z.string(),
  previous_filename: z.string().optional(),
  status: z.enum(changedFileStatuses),
});

export const CommitComparison = z.object({
  behind_by: z.number().int(),
  merge_base_commit: z.object({ sha: z.string() }),
  // Optional in GitHub's own schema; a comparison without a file list is treated as truncated.
  files: z.array(ChangedFile).optional(),
});

/** "The list of changed files ... includes up to 300 changed files for the entire comparison." */
export const COMPARE_FILE_LIMIT = 300;

/** A deleted account shows as null (or as GitHub's `ghost` user, whose name this borrows). */
const Author = z.object({ login: z.string() }).nullable();
export const loginOf = (user: z.infer<typeof Author>) => user?.login ?? "ghost";

export const PullRequest = z.object({
  number: z.number().int(),
  state: z.enum(["open", "closed"]),
  merged: z.boolean(),
  // A string, not an enum: a value GitHub adds later is one Bosun does not take as mergeable.
  mergeable_state: z.string(),
  user: Author,
  // A fork's head repository is null once the fork is deleted: still a fork.
  head: z.object({ sha: z.string(), repo: z.object({ full_name: z.string() }).nullable() }),
  base: z.object({ sha: z.string(), ref: z.string(), repo: z.object({ full_name: z.string() }) }),
});

/** What blocks when the installation has not granted `administration: read` (app.yml). */
export const UNREADABLE_PROTECTION =
  "branch protection, unreadable without the App's Administration (read) permission";

/** https://docs.github.com/en/rest/branches/branch-protection#get-branch-protection */
export const BranchProtection = z.object({
  required_status_checks: z
    .object({
      contexts: z.array(z.string()),
      checks: z.array(z.object({ context: z.string() })).optional(),
    })
    .optional(),
  required_pull_request_reviews: z
    .object({
      required_approving_review_count: z.number().int().optional(),
      require_code_owner_reviews: z.boolean().optional(),
      require_last_push_approval: z.boolean().optional(),
    })
    .optional(),
  required_conversation_resolution: z.object({ enabled: z.boolean() }).optional(),
  required_signatures: z.object({ enabled: z.boolean() }).optional(),
  lock_branch: z.object({ enabled: z.boolean() }).optional(),
});

/** https://docs.github.com/en/rest/repos/rules#get-rules-for-a-branch */
export const Rule = z.object({
  type: z.string(),
  parameters: z
    .object({
      required_status_checks: z.array(z.object({ context: z.string() })).optional(),
      required_approving_review_count: z.number().int().optional(),
      require_code_owner_review: z.boolean().optional(),
      require_last_push_approval: z.boolean().optional(),
      required_review_thread_resolution: z.boolean().optional(),
    })
    .optional(),
});

/** https://docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference */
export const CheckRun = z.object({
  name: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
});

export const AssociatedPull = z.object({
  number: z.number().int(),
  merged_at: z.string().nullable(),
  merge_commit_sha: z.string().nullable(),
});

export const PullRequestReview = z.object({
  user: Author,
  state: z.enum(["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"]),
  // The commit reviewed: an approval names it, and counts only for a plan of that commit.
  commit_id: z.string().nullable(),
  // A pending review has not been submitted.
  submitted_at: z.string().optional(),
});

export const Created = z.object({ id: z.number().int() });

/** https://docs.github.com/en/rest/issues/issues#create-an-issue: an issue is known by its number. */
export const CreatedIssue = z.object({ number: z.number().int() });

/** What GitHub says when it answers "Create a deployment" with 202 instead of creating one. */
export const DeploymentRefused = z.object({ message: z.string().optional() });

/** "The maximum description length is 140 characters." */
export const DEPLOYMENT_STATUS_DESCRIPTION_LIMIT = 140;
