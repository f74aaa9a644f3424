/*
 * GitHub API requests of a whole pull-request cycle (open, plan, /apply, apply), with 1 and with
 * 20 affected components: the count should not grow with the number of components.
 * Run: npx tsx bench/github-requests.ts
 */
import { pathToFileURL } from "node:url";
import { deliver, eventually } from "../test/helpers/deliver.js";
import { FakeGithubRepo } from "../test/helpers/fake-github-repo.js";
import { createGithubFake } from "../test/helpers/github-fake.js";
import { repoTarball } from "../test/helpers/repo-tarball.js";
import { settled, startFlowBosun } from "../test/helpers/test-bosun.js";
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

async function cycle(stacks: number): Promise<Record<string, number>> {
  const bosun = await startFlowBosun("pglite");
  const github = createGithubFake();
  const name = `Codertocat/Hello-World`;
  const repo = new FakeGithubRepo(github, name);
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
  try {
    const opened = example("pull_request", (p) => p.action === "opened" && !!p.installation);
    (opened.pull_request as { head: { sha: string }; base: { sha: string } }).head.sha = HEAD;
    (opened.pull_request as { head: { sha: string }; base: { sha: string } }).base.sha = BASE;
    await deliver(bosun.url, "pull_request", opened);
    await eventually(
      async () => (repo.checkRun("bosun/dev")?.conclusion === "action_required" ? true : undefined),
      { timeoutMs: 300_000 },
    );
    await settled(bosun);
    const planRequests = repo.requests.length;
    const comment = example("issue_comment", (p) => p.action === "created" && !!p.installation);
    (comment.issue as Record<string, unknown>).number = 2;
    (comment.issue as Record<string, unknown>).pull_request = { url: "" };
    (comment.comment as { body: string }).body = "/apply";
    await deliver(bosun.url, "issue_comment", comment);
    await eventually(
      async () => (repo.checkRun("bosun/dev")?.conclusion === "success" ? true : undefined),
      { timeoutMs: 300_000 },
    );
    await settled(bosun);
    if (process.env.BENCH_VERBOSE) {
      const kinds = new Map<string, number>();
      for (const r of repo.requests) {
        const key = `${r.method} ${r.path.replace(/\/\d+/g, "/N").replace(/[0-9a-f]{40}/g, "SHA")}`;
        kinds.set(key, (kinds.get(key) ?? 0) + 1);
      }
      console.log(stacks, Object.fromEntries(kinds));
    }
    if (repo.unexpected.length > 0)
      throw new Error(`unexpected requests: ${repo.unexpected.join(", ")}`);
    return {
      components: stacks,
      planRequests,
      applyRequests: repo.requests.length - planRequests,
      total: repo.requests.length,
    };
  } finally {
    repo.close();
    github.restore();
    await bosun.close();
  }
}

export async function benchGithubRequests(): Promise<Record<string, number>[]> {
  const results = [await cycle(1), await cycle(20)];
  console.log(
    "components  plan+report  apply+report  total  (GitHub API requests, token excluded)",
  );
  for (const r of results) {
    console.log(
      `${String(r.components).padStart(10)}  ${String(r.planRequests).padStart(11)}  ${String(r.applyRequests).padStart(12)}  ${String(r.total).padStart(5)}`,
    );
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchGithubRequests();
}
