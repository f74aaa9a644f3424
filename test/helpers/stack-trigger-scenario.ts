import { createComponentRepository } from "../../src/store/component-repository.js";
import type { Db } from "../../src/store/database.js";
import { createInstallationRepository } from "../../src/store/installation-repository.js";
import { createPullRequestRepository } from "../../src/store/pull-request-repository.js";
import type { FakeRepository, GithubFake } from "./github-fake/index.js";
import { networkStackFiles } from "./network-stack.js";
import { networkOnlyYml } from "./pull-request-scenario.js";
import { repoTarball } from "./repo-tarball.js";

/** The tracked branch's head in trigger scenarios: what a triggered run plans. */
export const TRACKED_HEAD = "3333333333333333333333333333333333333333";

export interface TriggerRepository {
  id: number;
  fullName: string;
  installationId: number;
}

/**
 * A repository as the stack page's Trigger menu meets it. On GitHub: its tracked branch (the
 * default, master) at {@link TRACKED_HEAD} with the network stack, a writer (Codertocat) and a
 * reader (octocat) who both see the repository as often as Bosun asks. In Bosun's database: what
 * an earlier pull request left, the repository and the stack's one component, network@dev.
 */
export async function stageTriggerScenario(
  github: GithubFake,
  db: Db,
  repository: TriggerRepository,
): Promise<FakeRepository> {
  const repo = github.repository(repository.fullName);
  const files = { "bosun.yml": networkOnlyYml, ...networkStackFiles };
  repo.branches.set("master", TRACKED_HEAD);
  repo.files.set("master", { "bosun.yml": networkOnlyYml });
  repo.files.set(TRACKED_HEAD, files);
  repo.tarballs.set(TRACKED_HEAD, await repoTarball(files));
  repo.permissions.set("Codertocat", "admin");
  repo.permissions.set("octocat", "read");
  github.route({
    site: "api",
    method: "GET",
    path: new RegExp(`^/repos/${repository.fullName}$`),
    answer: () => ({ status: 200, body: { full_name: repository.fullName, private: true } }),
  });

  await createInstallationRepository(db).upsertInstallation({
    id: repository.installationId,
    accountLogin: repository.fullName.split("/")[0]!,
  });
  await createPullRequestRepository(db).upsertRepository({
    ...repository,
    defaultBranch: "master",
  });
  await createComponentRepository(db).ensureComponents(repository.id, [
    {
      stack: "network",
      environment: "dev",
      dir: "infra/network",
      engine: "opentofu",
      production: false,
    },
  ]);
  return repo;
}
