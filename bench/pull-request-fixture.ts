/*
 * A repository of N independent stacks (one `null_resource` each, one environment) on the fake
 * GitHub, with a pull request changing all of them: what the pull-request benchmarks drive.
 */
import type { FakeRepository, GithubFake } from "../test/helpers/github-fake/index.js";
import { repoTarball } from "../test/helpers/repo-tarball.js";
import { example } from "../test/helpers/webhook-examples.js";

const HEAD = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const BASE = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

function repository(stacks: number): { yml: string; files: Record<string, string> } {
  const names = Array.from({ length: stacks }, (_, i) => `stack${String(i).padStart(2, "0")}`);
  const yml = [
    "version: 1",
    "environments:",
    "  dev: {}",
    "stacks:",
    ...names.flatMap((name) => [
      `  - name: ${name}`,
      `    dir: infra/${name}`,
      "    environments: [dev]",
    ]),
  ].join("\n");
  const files = Object.fromEntries(
    names.map((name) => [`infra/${name}/main.tf`, `resource "null_resource" "${name}" {}\n`]),
  );
  return { yml, files };
}

/** `Codertocat/Hello-World` with `stacks` stacks, every one changed by pull request #2. */
export async function fakeRepositoryOfStacks(
  github: GithubFake,
  stacks: number,
): Promise<FakeRepository> {
  const repo = github.repository("Codertocat/Hello-World");
  const { yml, files } = repository(stacks);
  repo.pull.head.sha = HEAD;
  repo.pull.base.sha = BASE;
  repo.compare.merge_base_commit.sha = BASE;
  repo.compare.files = Object.keys(files).map((filename) => ({ filename, status: "modified" }));
  repo.permissions.set("Codertocat", "admin");
  repo.files.set("master", { "bosun.yml": yml });
  repo.files.set(HEAD, { "bosun.yml": yml });
  repo.files.set(BASE, { "bosun.yml": yml });
  repo.tarballs.set(HEAD, await repoTarball({ "bosun.yml": yml, ...files }));
  repo.tarballs.set(BASE, await repoTarball({ "bosun.yml": yml, ...files }));
  return repo;
}

/** The `pull_request` `opened` delivery of pull request #2, at the fixture's head and base. */
export function pullRequestOpened(): Record<string, unknown> {
  const opened = example("pull_request", (p) => p.action === "opened" && !!p.installation);
  const pull = opened.pull_request as { head: { sha: string }; base: { sha: string } };
  pull.head.sha = HEAD;
  pull.base.sha = BASE;
  return opened;
}

/** An `/apply` comment on pull request #2. */
export function applyComment(): Record<string, unknown> {
  const comment = example("issue_comment", (p) => p.action === "created" && !!p.installation);
  (comment.issue as Record<string, unknown>).number = 2;
  (comment.issue as Record<string, unknown>).pull_request = { url: "" };
  (comment.comment as { body: string }).body = "/apply";
  return comment;
}
