import { canWrite, type GithubGateway } from "../../services/github-port.js";
import type { GithubUserAuth } from "../../services/github-user-port.js";
import type { RepositorySummary } from "../../services/run-page-port.js";
import type { Session } from "./session.js";

/** How long GitHub's answer about a user's access to a repository is trusted. */
const ACCESS_TTL_MS = 60_000;
const MAX_CACHED = 5_000;

export interface RunPageAccess {
  /**
   * A signed `repo:` grant, a signed-in user GitHub lets read the repository, or an API token
   * scoped to it.
   */
  canReadRepository(session: Session, repository: RepositorySummary): Promise<boolean>;
  /** A signed `run:` grant for this run, or read access to its repository. */
  canReadRun(
    session: Session,
    run: { id: string; repository: RepositorySummary },
  ): Promise<boolean>;
  /**
   * A signed-in user with write permission (asked with the installation's token), or an API token
   * scoped to the repository with the `trigger` scope.
   */
  canWriteRepository(session: Session, repository: RepositorySummary): Promise<boolean>;
  /**
   * A signed-in user GitHub gives the `admin` permission (asked with the installation's token):
   * who manages the repository's API tokens. An API token never does.
   */
  canAdministerRepository(session: Session, repository: RepositorySummary): Promise<boolean>;
}

/**
 * Who may see what. A link's grant is checked against its scope; a signed-in user is checked with
 * GitHub, and the answer cached briefly so a page and its polling do not cost a request each.
 */
export function createRunPageAccess(deps: {
  users: GithubUserAuth | undefined;
  github: GithubGateway | undefined;
  now?: () => number;
}): RunPageAccess {
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { answer: boolean; until: number }>();
  const cached = async (key: string, ask: () => Promise<boolean>): Promise<boolean> => {
    const hit = cache.get(key);
    if (hit && hit.until > now()) return hit.answer;
    const answer = await ask();
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, { answer, until: now() + ACCESS_TTL_MS });
    return answer;
  };

  const canReadRepository = async (session: Session, repository: RepositorySummary) => {
    if (session.apiToken) return session.apiToken.repositoryIds.includes(repository.id);
    if (session.grants.some((grant) => grant.scope === `repo:${repository.id}`)) return true;
    const { user } = session;
    if (!user || !deps.users) return false;
    const users = deps.users;
    return cached(`read\n${user.login}\n${repository.fullName}`, () =>
      users.canRead(user.token, repository.fullName),
    );
  };

  return {
    canReadRepository,
    async canReadRun(session, run) {
      if (session.grants.some((grant) => grant.scope === `run:${run.id}`)) return true;
      return canReadRepository(session, run.repository);
    },
    async canWriteRepository(session, repository) {
      const { apiToken, user } = session;
      if (apiToken) {
        return apiToken.scope === "trigger" && apiToken.repositoryIds.includes(repository.id);
      }
      if (!user || !deps.github) return false;
      const github = deps.github;
      return cached(`write\n${user.login}\n${repository.fullName}`, async () => {
        if (!(await canReadRepository(session, repository))) return false;
        const api = await github(repository.installationId, repository.fullName);
        return canWrite(await api.permissionOf(user.login));
      });
    },
    async canAdministerRepository(session, repository) {
      const { apiToken, user } = session;
      if (apiToken || !user || !deps.github) return false;
      const github = deps.github;
      return cached(`admin\n${user.login}\n${repository.fullName}`, async () => {
        if (!(await canReadRepository(session, repository))) return false;
        const api = await github(repository.installationId, repository.fullName);
        return (await api.permissionOf(user.login)) === "admin";
      });
    },
  };
}
