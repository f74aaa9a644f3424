import type { ChangedFile } from "../domain/affected-components.js";
import type { Review } from "../domain/evaluate-approval.js";
import type { BranchRule, CheckOutcome } from "../domain/mergeable-verdict.js";

/**
 * What services ask of GitHub, in Bosun's terms. src/github/github-repo-api.ts implements it with
 * an installation's Octokit; nothing here knows Probot or the REST paths.
 */

export const PERMISSIONS = ["admin", "maintain", "write", "triage", "read", "none"] as const;
export type Permission = (typeof PERMISSIONS)[number];

export function canWrite(permission: Permission): boolean {
  return permission === "admin" || permission === "maintain" || permission === "write";
}

export interface CheckRunAction {
  label: string;
  description: string;
  identifier: string;
}

export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

export interface CheckRunContent {
  status: "queued" | "in_progress" | "completed";
  conclusion?: "success" | "failure" | "neutral" | "action_required" | "skipped" | undefined;
  title: string;
  summary: string;
  text: string;
  actions: CheckRunAction[];
  detailsUrl: string;
  /** All of them: the adapter sends them 50 a request (GitHub's limit). */
  annotations: CheckRunAnnotation[];
}

export interface Comparison {
  files: ChangedFile[];
  /** GitHub lists at most 300 files of a comparison; beyond that Bosun treats every stack as affected. */
  truncated: boolean;
  /** Commits of `base` that `head` does not contain. */
  behindBy: number;
  mergeBaseSha: string;
}

export interface PullRequestState {
  number: number;
  headSha: string;
  baseSha: string;
  baseRef: string;
  state: "open" | "closed";
  merged: boolean;
  /**
   * GitHub's verdict on merging it (`clean`, `unstable`, `has_hooks`, `blocked`, `behind`,
   * `dirty`, `unknown` while it is still computing, `draft`).
   */
  mergeableState: string;
  author: string;
  /** The head lives in another repository (a fork). */
  fork: boolean;
}

export type Reaction = "+1" | "-1" | "eyes" | "rocket" | "confused" | "hooray";

export interface DeploymentInput {
  ref: string;
  environment: string;
  production: boolean;
  description: string;
  payload: Record<string, unknown>;
}

/** What an update changes of an issue: each field left out stays as it is. */
export interface IssueChange {
  title?: string;
  body?: string;
  state?: "open" | "closed";
  /** Why it was closed (or reopened), as GitHub shows it. */
  stateReason?: "completed" | "not_planned" | "reopened";
}

export type DeploymentState =
  "queued" | "in_progress" | "success" | "failure" | "error" | "inactive";

/**
 * What services may ask of one repository, through one installation's token: reads only. What
 * Bosun writes to GitHub goes through the reporter (src/services/reporter/), the one holder of a
 * GithubRepoWriter; ESLint fails a write called anywhere else.
 */
export interface GithubRepoReader {
  readonly fullName: string;
  /** A file's text at a ref; undefined when it does not exist there. */
  readFile(path: string, ref: string): Promise<string | undefined>;
  /** The user's role on the repository, as GitHub says it; cached briefly by the adapter. */
  permissionOf(user: string): Promise<Permission>;
  compare(base: string, head: string): Promise<Comparison>;
  pullRequest(number: number): Promise<PullRequestState>;
  reviews(number: number): Promise<Review[]>;
  /**
   * What merging into the branch requires: its branch protection and the rules of the rulesets
   * that apply to it. Branch protection that cannot be read shows as a rule Bosun cannot judge.
   */
  branchRules(branch: string): Promise<BranchRule[]>;
  /** The check runs on a commit, newest first. */
  checkRuns(sha: string): Promise<CheckOutcome[]>;
  /** The pull request whose merge produced this commit, if any. */
  mergedPullRequestOf(sha: string): Promise<number | undefined>;
  /** The repository's tarball at a commit SHA. */
  tarball(sha: string): Promise<Buffer>;
  /** The commit a branch points at now; undefined when there is no such branch. */
  branchHead(branch: string): Promise<string | undefined>;
}

/** What Bosun writes to one repository: check runs, comments, reactions, deployments, issues. */
export interface GithubRepoWriter {
  readonly fullName: string;
  createCheckRun(
    headSha: string,
    name: string,
    content: CheckRunContent,
    externalId: string,
  ): Promise<number>;
  /**
   * Replaces status, output and actions (`actions: []` removes the buttons). GitHub *appends* the
   * annotations of every update to those the run has, so annotations sent with an earlier create
   * or update appear twice if sent again: send them once, with the update that completes the run.
   */
  updateCheckRun(checkRunId: number, content: CheckRunContent): Promise<void>;
  createComment(issueNumber: number, body: string): Promise<number>;
  /** Opens an issue (a drift report); answers its number. */
  createIssue(title: string, body: string): Promise<number>;
  /** Edits an issue, closes or reopens it. */
  updateIssue(issueNumber: number, change: IssueChange): Promise<void>;
  updateComment(commentId: number, body: string): Promise<void>;
  react(commentId: number, reaction: Reaction): Promise<void>;
  createDeployment(input: DeploymentInput): Promise<number>;
  setDeploymentStatus(
    deploymentId: number,
    state: DeploymentState,
    input: { logUrl: string; description: string; environment: string },
  ): Promise<void>;
}

/** One repository, through one installation's token: what the gateway hands out. */
export interface GithubRepoApi extends GithubRepoReader, GithubRepoWriter {}

/** A repository's API for an installation; the adapter caches permissions briefly. */
export type GithubGateway = (
  installationId: number,
  repositoryFullName: string,
) => Promise<GithubRepoApi>;
