import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubFake, type GithubFake } from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import { networkOnlyYml } from "../../helpers/pull-request-scenario.js";
import {
  hostileTarball,
  RAW_PREFIX,
  rawTarEntries,
  type RawEntry,
} from "../../helpers/raw-tarball.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import {
  expectNoEngineApply,
  expectNothingApplied,
  expectStillUp,
  finalDelivery,
  HostileRepo,
  startHostileBosun,
  type HostileBosun,
} from "./hostile-harness.js";

/**
 * Hostile repository tarballs behind a pull request, through the webhook, the planner and the
 * runner's extraction: each fails the `bosun/dev` check run with the offending entry and why, the
 * engine never runs on it, and the process carries on.
 */

const files = { "bosun.yml": networkOnlyYml, ...networkStackFiles };

interface ArchiveCase {
  name: string;
  archive: () => Promise<Buffer> | Buffer;
  /** What the check run must say: the entry and the reason. */
  says: RegExp[];
}

const withEntries = (entries: RawEntry[]) => () => hostileTarball(files, entries);

const archiveCases: ArchiveCase[] = [
  {
    name: "a symbolic link to an absolute path",
    archive: withEntries([
      { name: "infra/network/secrets.tf", type: "2", linkname: "/etc/passwd" },
    ]),
    says: [/infra\/network\/secrets\.tf/, /symbolic link to the absolute path \/etc\/passwd/],
  },
  {
    name: "a symbolic link climbing out of the workspace",
    archive: withEntries([{ name: "infra/network/up", type: "2", linkname: "../../../../etc" }]),
    says: [/infra\/network\/up/, /outside the destination/],
  },
  {
    name: "a symbolic link that escapes only through another link",
    archive: withEntries([
      { name: "infra/network/root", type: "2", linkname: "../.." },
      { name: "infra/network/out", type: "2", linkname: "root/.." },
    ]),
    says: [/infra\/network\/out/, /leads outside the destination/],
  },
  {
    name: "a hard link to a file outside",
    archive: withEntries([{ name: "infra/network/shadow.tf", type: "1", linkname: "/etc/shadow" }]),
    says: [/infra\/network\/shadow\.tf/, /hard link to \/etc\/shadow/],
  },
  {
    name: "a hard link inside the repository",
    archive: withEntries([
      { name: "infra/network/copy.tf", type: "1", linkname: `${RAW_PREFIX}/infra/network/main.tf` },
    ]),
    says: [/infra\/network\/copy\.tf/, /it is a hard link/],
  },
  {
    name: "an entry with .. segments",
    archive: withEntries([{ name: "infra/network/../../../../tmp/evil.tf", body: "x" }]),
    says: [/tmp\/evil\.tf/, /'\.\.' segment/],
  },
  {
    name: "an entry with an absolute path",
    archive: () =>
      hostileTarball(files, [{ name: "/etc/cron.d/bosun", body: "* * * * * root sh" }], {
        prefixHostile: false,
      }),
    says: [/\/etc\/cron\.d\/bosun/, /its path is absolute/],
  },
  {
    name: "a character device",
    archive: withEntries([{ name: "infra/network/null", type: "3" }]),
    says: [/infra\/network\/null/, /CharacterDevice entry/],
  },
  {
    name: "a FIFO",
    archive: withEntries([{ name: "infra/network/pipe", type: "6" }]),
    says: [/infra\/network\/pipe/, /FIFO entry/],
  },
  {
    name: "a file declaring 600 MB",
    archive: withEntries([{ name: "infra/network/huge.tf", size: 600 * 1024 * 1024 }]),
    says: [/infra\/network\/huge\.tf/, /more than 536870912 bytes/],
  },
  {
    name: "an entry outside the top-level folder",
    archive: () =>
      hostileTarball(files, [{ name: "elsewhere/main.tf", body: "x" }], { prefixHostile: false }),
    says: [/elsewhere\/main\.tf/, /not under the top-level folder/],
  },
  {
    name: "an entry that appears twice",
    archive: withEntries([
      { name: "infra/network/main.tf", body: 'resource "null_resource" "x" {}' },
    ]),
    says: [/infra\/network\/main\.tf/, /has it twice/],
  },
  {
    name: "a tar that is not gzip-compressed",
    archive: () => rawTarEntries(files, []),
    says: [/not gzip-compressed/],
  },
  {
    name: "an HTML error page instead of an archive",
    archive: () => Buffer.from("<html><body>502 Bad Gateway</body></html>"),
    says: [/not gzip-compressed/],
  },
  {
    name: "an archive cut off half-way",
    archive: async () => {
      const whole = await repoTarball(files, RAW_PREFIX);
      return whole.subarray(0, Math.floor(whole.length / 2));
    },
    says: [/reading the tarball/],
  },
  {
    name: "gzip of something that is not a tar",
    archive: () => gzipSync(Buffer.from("just some text, not an archive\n".repeat(100))),
    says: [/reading the tarball/],
  },
];

// PGlite only: extraction never touches the database; the PostgreSQL run would double the
// file's time for no new path (http-intake and comment-commands cover both).
describe.each(["pglite"] as const)("hostile source archives on %s", (kind) => {
  let hostile: HostileBosun;
  let github: GithubFake;
  const bosun = () => hostile.bosun;
  const cases = new Map<string, { repo: HostileRepo; deliveryId: string }>();

  beforeAll(async () => {
    hostile = await startHostileBosun(kind);
    github = await startGithubFake();
    for (const { name, archive } of archiveCases) {
      const repo = await HostileRepo.create(github, `archive-${kind}`, {
        headFiles: files,
        headTarball: await archive(),
      });
      cases.set(name, { repo, deliveryId: await repo.openPullRequest(bosun()) });
    }
  });
  afterAll(async () => {
    await github?.close();
    await hostile?.close();
  });

  it.each(archiveCases)("fails the plan of $name, naming the entry", async ({ name, says }) => {
    const { repo, deliveryId } = cases.get(name)!;
    const check = await repo.check("bosun/dev", "failure");
    const shown = `${check.output?.summary ?? ""}\n${check.output?.text ?? ""}`;
    for (const pattern of says) expect(shown).toMatch(pattern);
    expect(check.actions ?? []).toEqual([]);
    expect((await finalDelivery(bosun(), deliveryId)).status).toBe("processed");
  });

  it("stays up, never runs the engine on a refused archive, and still plans a sound one", async () => {
    await expectStillUp(bosun());
    for (const { repo } of cases.values()) {
      await expectNothingApplied(bosun(), repo.id);
    }
    github.verify();
    // Extraction comes before the engine: no engine command ran at all so far.
    expect(await hostile.engineCommands()).toEqual([]);
    const sound = await HostileRepo.create(github, `archive-sound-${kind}`);
    await sound.openPullRequest(bosun());
    await sound.check("bosun/dev", "action_required");
    await expectStillUp(bosun());
    expectNoEngineApply(await hostile.engineCommands());
    github.verify();
  });
});
