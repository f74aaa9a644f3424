import type { Review } from "../../../src/domain/evaluate-approval.js";
import type { BranchRule, CheckOutcome } from "../../../src/domain/mergeable-verdict.js";
import type {
  CheckRunContent,
  Comparison,
  DeploymentInput,
  DeploymentState,
  GithubGateway,
  GithubRepoApi,
  IssueChange,
  Permission,
  PullRequestState,
  Reaction,
} from "../../../src/services/github-port.js";

export interface CreatedCheckRun {
  id: number;
  headSha: string;
  name: string;
  content: CheckRunContent;
  externalId: string;
}

export interface PostedComment {
  id: number;
  issueNumber: number;
  body: string;
}

/**
 * One repository as a use case sees GitHub: what it may read is declared by the test (files per
 * ref, permissions, comparisons, pull requests), and every write is recorded in order so a test
 * asserts what GitHub was told. A read nobody declared throws, so a use case that asks GitHub
 * for more than the test expected fails loudly rather than reading an invented default.
 */
export class InMemoryGithubRepo implements GithubRepoApi {
  /** Ref (branch or SHA) → path → text. */
  readonly files = new Map<string, Record<string, string>>();
  readonly permissions = new Map<string, Permission>();
  /** Keyed `base...head`, as GitHub's compare URL names them. */
  readonly comparisons = new Map<string, Comparison>();
  readonly pullRequests = new Map<number, PullRequestState>();
  readonly reviewsOf = new Map<number, Review[]>();
  readonly rulesOf = new Map<string, BranchRule[]>();
  readonly checkRunsOf = new Map<string, CheckOutcome[]>();
  readonly mergedPullRequests = new Map<string, number>();
  /** Branch name → the commit it points at. */
  readonly branches = new Map<string, string>();

  readonly fileReads: { path: string; ref: string }[] = [];
  readonly createdCheckRuns: CreatedCheckRun[] = [];
  readonly checkRunUpdates: { checkRunId: number; content: CheckRunContent }[] = [];
  readonly comments: PostedComment[] = [];
  readonly commentUpdates: { commentId: number; body: string }[] = [];
  readonly reactions: { commentId: number; reaction: Reaction }[] = [];
  readonly createdIssues: { number: number; title: string; body: string }[] = [];
  readonly issueUpdates: { issueNumber: number; change: IssueChange }[] = [];
  readonly deployments: { id: number; input: DeploymentInput }[] = [];
  readonly deploymentStatuses: {
    deploymentId: number;
    state: DeploymentState;
    description: string;
  }[] = [];

  /** GitHub's ids are its own: distinct ranges make a mixed-up id visible in a failure. */
  private nextId = { checkRun: 9000, comment: 5000, deployment: 7000, issue: 300 };

  constructor(readonly fullName: string) {}

  /** Declares the files of a ref (a branch name or a commit SHA). */
  withFiles(ref: string, files: Record<string, string>): this {
    this.files.set(ref, files);
    return this;
  }

  async readFile(path: string, ref: string): Promise<string | undefined> {
    this.fileReads.push({ path, ref });
    return this.files.get(ref)?.[path];
  }

  /** GitHub answers 404 for a login that is no collaborator; the adapter reads that as "none". */
  async permissionOf(user: string): Promise<Permission> {
    return this.permissions.get(user) ?? "none";
  }

  async compare(base: string, head: string): Promise<Comparison> {
    return declared(this.comparisons.get(`${base}...${head}`), `comparison ${base}...${head}`);
  }

  async pullRequest(number: number): Promise<PullRequestState> {
    return declared(this.pullRequests.get(number), `pull request #${number}`);
  }

  async reviews(number: number): Promise<Review[]> {
    return this.reviewsOf.get(number) ?? [];
  }

  async branchRules(branch: string): Promise<BranchRule[]> {
    return this.rulesOf.get(branch) ?? [];
  }

  async checkRuns(sha: string): Promise<CheckOutcome[]> {
    return this.checkRunsOf.get(sha) ?? [];
  }

  async mergedPullRequestOf(sha: string): Promise<number | undefined> {
    return this.mergedPullRequests.get(sha);
  }

  async branchHead(branch: string): Promise<string | undefined> {
    return this.branches.get(branch);
  }

  async createCheckRun(
    headSha: string,
    name: string,
    content: CheckRunContent,
    externalId: string,
  ): Promise<number> {
    const id = this.nextId.checkRun++;
    this.createdCheckRuns.push({ id, headSha, name, content, externalId });
    return id;
  }

  async updateCheckRun(checkRunId: number, content: CheckRunContent): Promise<void> {
    this.checkRunUpdates.push({ checkRunId, content });
  }

  async createComment(issueNumber: number, body: string): Promise<number> {
    const id = this.nextId.comment++;
    this.comments.push({ id, issueNumber, body });
    return id;
  }

  async updateComment(commentId: number, body: string): Promise<void> {
    this.commentUpdates.push({ commentId, body });
  }

  async createIssue(title: string, body: string): Promise<number> {
    const number = this.nextId.issue++;
    this.createdIssues.push({ number, title, body });
    return number;
  }

  async updateIssue(issueNumber: number, change: IssueChange): Promise<void> {
    this.issueUpdates.push({ issueNumber, change });
  }

  async react(commentId: number, reaction: Reaction): Promise<void> {
    this.reactions.push({ commentId, reaction });
  }

  async createDeployment(input: DeploymentInput): Promise<number> {
    const id = this.nextId.deployment++;
    this.deployments.push({ id, input });
    return id;
  }

  async setDeploymentStatus(
    deploymentId: number,
    state: DeploymentState,
    input: { logUrl: string; description: string; environment: string },
  ): Promise<void> {
    this.deploymentStatuses.push({ deploymentId, state, description: input.description });
  }

  /** Use cases fetch source through the SourceArchiveFetcher port, never through this. */
  async tarball(sha: string): Promise<Buffer> {
    throw new Error(`unexpected tarball(${sha}): fetch source through the source port`);
  }

  /** Everything GitHub was told, for tests asserting that nothing was. */
  writes(): number {
    return (
      this.createdCheckRuns.length +
      this.checkRunUpdates.length +
      this.comments.length +
      this.commentUpdates.length +
      this.reactions.length +
      this.createdIssues.length +
      this.issueUpdates.length +
      this.deployments.length +
      this.deploymentStatuses.length
    );
  }
}

/** The gateway over one repository; asking for any other installation's view is a test bug. */
export function githubGateway(repo: InMemoryGithubRepo): GithubGateway & {
  calls: { installationId: number; repositoryFullName: string }[];
} {
  const calls: { installationId: number; repositoryFullName: string }[] = [];
  const gateway = async (installationId: number, repositoryFullName: string) => {
    calls.push({ installationId, repositoryFullName });
    if (repositoryFullName !== repo.fullName) {
      throw new Error(
        `unexpected repository ${repositoryFullName}; the fake holds ${repo.fullName}`,
      );
    }
    return repo;
  };
  return Object.assign(gateway, { calls });
}

function declared<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the test did not declare ${what}`);
  return value;
}
