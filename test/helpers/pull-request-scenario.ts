import type { FakeRepository } from "./github-fake/index.js";
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
/** A later head commit, for scenarios where the pull request moves on. */
export const NEXT_HEAD = "2222222222222222222222222222222222222222";

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

/** A comment payload, with the fields scenarios read back (e.g. the id reactions refer to). */
export type CommentPayload = Record<string, unknown> & {
  comment: { id: number; body: string; user: { login: string }; created_at: string };
};

/** GitHub's `issue_comment.created` example, as `user` commenting `body` on pull request `number`. */
export function commentOnPullRequest(
  repository: ScenarioRepository,
  body: string,
  user = "Codertocat",
  number = PULL_NUMBER,
): CommentPayload {
  const payload = inRepository(
    example("issue_comment", (p) => p.action === "created" && !!p.installation),
    repository,
  ) as CommentPayload;
  const issue = payload.issue as Record<string, unknown>;
  issue.number = number;
  issue.pull_request = {
    url: `https://api.github.com/repos/${repository.fullName}/pulls/${number}`,
  };
  payload.comment.body = body;
  payload.comment.user.login = user;
  payload.comment.id = Math.floor(Math.random() * 1e9);
  // Written now, as GitHub would stamp it: a writer's /plan vouches for the head at that time.
  payload.comment.created_at = new Date().toISOString();
  return payload;
}

export interface StageOptions {
  /** The head commit's files, when a case puts something other than the valid config there. */
  headFiles?: Record<string, string>;
  /** The head commit's archive, when it is not `headFiles` packed (a hostile archive). */
  headTarball?: Buffer;
}

/** The fake repository as the opened pull request sees it: one changed stack, `network`. */
export async function stagePullRequest(
  repo: FakeRepository,
  options: StageOptions = {},
): Promise<void> {
  const baseFiles = { "bosun.yml": networkOnlyYml, ...networkStackFiles };
  const headFiles = options.headFiles ?? baseFiles;
  repo.pull.head.sha = HEAD;
  repo.pull.base.sha = BASE;
  repo.compare.merge_base_commit.sha = MERGE_BASE;
  repo.compare.files = [{ filename: "infra/network/main.tf", status: "modified" }];
  repo.permissions.set("Codertocat", "admin");
  repo.files.set("master", { "bosun.yml": networkOnlyYml });
  repo.files.set(HEAD, headFiles);
  repo.files.set(MERGE_BASE, { "bosun.yml": networkOnlyYml });
  const baseTarball = await repoTarball(baseFiles);
  repo.tarballs.set(
    HEAD,
    options.headTarball ?? (options.headFiles ? await repoTarball(headFiles) : baseTarball),
  );
  repo.tarballs.set(MERGE_BASE, baseTarball);
}
