export interface PullRequestRecord {
  repositoryId: number;
  number: number;
  headSha: string;
  baseRef: string;
  author: string;
  fork: boolean;
  open: boolean;
  commentIds: number[];
  commentDigest: string | undefined;
  notices: string[];
  /**
   * When Bosun last recorded the pull request's head (from its webhooks or a plan): a writer's
   * `/plan` written before then did not see that head.
   */
  updatedAt: Date;
}

/** Repositories and pull requests as the GitHub flows record them: heads, comments, notices. */
export interface PullRequestStore {
  upsertRepository(repository: {
    id: number;
    installationId: number;
    fullName: string;
    defaultBranch: string;
  }): Promise<void>;
  upsertPullRequest(pr: {
    repositoryId: number;
    number: number;
    headSha: string;
    baseRef: string;
    author: string;
    fork: boolean;
  }): Promise<PullRequestRecord>;
  pullRequest(repositoryId: number, number: number): Promise<PullRequestRecord | undefined>;
  /** Records a one-off notice; false when it was already posted. */
  addNotice(repositoryId: number, number: number, notice: string): Promise<boolean>;
  setComments(
    repositoryId: number,
    number: number,
    commentIds: number[],
    digest: string,
  ): Promise<void>;
  /** Marks the pull request closed, and closes its changesets. */
  closePullRequest(repositoryId: number, number: number): Promise<void>;
}
