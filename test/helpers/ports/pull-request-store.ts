import type {
  PullRequestRecord,
  PullRequestStore,
} from "../../../src/services/pull-request-port.js";

interface RepositoryRecord {
  id: number;
  installationId: number;
  fullName: string;
  defaultBranch: string;
}

/**
 * Repositories and pull requests in two maps. Notices keep the store's promise that each is
 * posted once per pull request: `addNotice` answers false the second time.
 */
export class InMemoryPullRequestStore implements PullRequestStore {
  readonly repositories = new Map<number, RepositoryRecord>();
  readonly records = new Map<string, PullRequestRecord>();
  /** The time `upsertPullRequest` stamps on `updatedAt`; tests move it to model a late push. */
  now = new Date("2024-05-01T12:00:00Z");

  async upsertRepository(repository: RepositoryRecord): Promise<void> {
    this.repositories.set(repository.id, { ...repository });
  }

  async upsertPullRequest(pr: {
    repositoryId: number;
    number: number;
    headSha: string;
    baseRef: string;
    author: string;
    fork: boolean;
  }): Promise<PullRequestRecord> {
    const existing = this.records.get(key(pr.repositoryId, pr.number));
    const record: PullRequestRecord = {
      commentIds: [],
      commentDigest: undefined,
      notices: [],
      open: true,
      ...existing,
      ...pr,
      updatedAt: this.now,
    };
    this.records.set(key(pr.repositoryId, pr.number), record);
    return record;
  }

  async pullRequest(repositoryId: number, number: number): Promise<PullRequestRecord | undefined> {
    return this.records.get(key(repositoryId, number));
  }

  async addNotice(repositoryId: number, number: number, notice: string): Promise<boolean> {
    const record = this.records.get(key(repositoryId, number));
    if (!record || record.notices.includes(notice)) return false;
    record.notices = [...record.notices, notice];
    return true;
  }

  async setComments(
    repositoryId: number,
    number: number,
    commentIds: number[],
    digest: string,
  ): Promise<void> {
    const record = this.records.get(key(repositoryId, number));
    if (!record) return;
    record.commentIds = [...commentIds];
    record.commentDigest = digest;
  }

  async closePullRequest(repositoryId: number, number: number): Promise<void> {
    const record = this.records.get(key(repositoryId, number));
    if (record) record.open = false;
  }
}

const key = (repositoryId: number, number: number) => `${repositoryId}#${number}`;
