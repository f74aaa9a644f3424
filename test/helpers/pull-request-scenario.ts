import type { FakeGithubRepo } from "./fake-github-repo.js";
import { networkStackFiles } from "./network-stack.js";
import { repoTarball } from "./repo-tarball.js";
import { example } from "./webhook-examples.js";

/** GitHub's own `pull_request.opened` example: the pull request every scenario opens. */
export const openedExample = example(
  "pull_request",
  (p) => p.action === "opened" && !!p.installation,
);
const pull = openedExample.pull_request as {
  number: number;
  head: { sha: string };
  base: { sha: string };
};
export const PULL_NUMBER = pull.number;
export const HEAD = pull.head.sha;
export const BASE = pull.base.sha;
export const MERGE_BASE = "1111111111111111111111111111111111111111";

export const networkOnlyYml = `version: 1
environments:
  dev:
    variables:
      region: eu-west-1
stacks:
  - name: network
    dir: infra/network
    environments: [dev]
    var_files: ["env/\${environment}.tfvars"]
`;

/** Where a scenario's repository lives: its own id and name, so nothing carries over. */
export interface ScenarioRepository {
  id: number;
  fullName: string;
}

/** A webhook example moved into the scenario's repository. */
export function inRepository<T extends Record<string, unknown>>(
  payload: T,
  repository: ScenarioRepository,
): T {
  const copy = structuredClone(payload);
  const target = copy.repository as { id: number; full_name: string; name: string };
  target.id = repository.id;
  target.full_name = repository.fullName;
  target.name = repository.fullName.split("/")[1]!;
  const pullRequest = copy.pull_request as
    | { head?: { repo?: { full_name: string } }; base?: { repo?: { full_name: string } } }
    | undefined;
  if (pullRequest?.head?.repo) pullRequest.head.repo.full_name = repository.fullName;
  if (pullRequest?.base?.repo) pullRequest.base.repo.full_name = repository.fullName;
  return copy;
}

/** GitHub's `issue_comment.created` example, as `user` commenting `body` on the pull request. */
export function commentOnPullRequest(
  repository: ScenarioRepository,
  body: string,
  user = "Codertocat",
): Record<string, unknown> {
  const payload = inRepository(
    example("issue_comment", (p) => p.action === "created" && !!p.installation),
    repository,
  );
  const issue = payload.issue as Record<string, unknown>;
  issue.number = PULL_NUMBER;
  issue.pull_request = {
    url: `https://api.github.com/repos/${repository.fullName}/pulls/${PULL_NUMBER}`,
  };
  const comment = payload.comment as { id: number; body: string; user: { login: string } };
  comment.body = body;
  comment.user.login = user;
  comment.id = Math.floor(Math.random() * 1e9);
  return payload;
}

/** The fake repository as the opened pull request sees it: one changed stack, `network`. */
export async function stagePullRequest(repo: FakeGithubRepo, yml = networkOnlyYml): Promise<void> {
  repo.pull.head.sha = HEAD;
  repo.pull.base.sha = BASE;
  repo.compare.merge_base_commit.sha = MERGE_BASE;
  repo.compare.files = [{ filename: "infra/network/main.tf", status: "modified" }];
  repo.permissions.set("Codertocat", "admin");
  repo.files.set("master", { "bosun.yml": yml });
  repo.files.set(HEAD, { "bosun.yml": yml, ...networkStackFiles });
  repo.files.set(MERGE_BASE, { "bosun.yml": yml });
  const tarball = await repoTarball({ "bosun.yml": yml, ...networkStackFiles });
  repo.tarballs.set(HEAD, tarball);
  repo.tarballs.set(MERGE_BASE, tarball);
}
