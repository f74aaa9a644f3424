import { expect, it } from "vitest";
import { createGithubFake } from "../../helpers/github-fake.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import { eventually } from "../../helpers/deliver.js";
import { HostileRepo, startHostileBosun, validBosunYml } from "./hostile-harness.js";
import { hostileTarball } from "./raw-tarball.js";

it("one", async () => {
  const hostile = await startHostileBosun("pglite");
  const github = createGithubFake();
  const files = { "bosun.yml": validBosunYml, ...networkStackFiles };
  const repo = await HostileRepo.create(github, "one", { headFiles: files, tarball: hostileTarball(files, [{ name: "infra/network/up", type: "2", linkname: "../../../../etc" }]) });
  await repo.openPullRequest(hostile.bosun);
  await new Promise((r) => setTimeout(r, 15000));
  console.log(JSON.stringify(repo.repo.checkRuns.map(c => [c.name, c.status, c.conclusion, c.output?.summary?.slice(0, 600)]), null, 1));
  console.log(repo.repo.requests.map(r => r.method + " " + r.path).join("\n"));
  console.log(repo.repo.commentsOn(2));
  github.restore();
  await hostile.close();
}, 60000);
