import { mkdtemp, readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { prepareSourceTree } from "../../../src/runner/source-tree.js";
import { TarballError } from "../../../src/runner/tarball-error.js";
import { hostileTarball } from "../../helpers/raw-tarball.js";
import { repoTarball } from "../../helpers/repo-tarball.js";

/** Every file left on disk, repo-relative, sorted. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

const REPO = {
  "infra/app/main.tf": `resource "terraform_data" "policy" {
  input = file("\${path.module}/policies/app.json")
}
resource "terraform_data" "shared" {
  input = templatefile("../templates/user-data.tpl", { name = "app" })
}
resource "terraform_data" "computed" {
  input = file("\${path.module}/\${var.name}.json")
}
module "tags" {
  source = "../modules/tags"
}
`,
  "infra/app/policies/app.json": "{}",
  "infra/modules/tags/main.tf": `output "tags" {
  value = file("\${path.module}/../../../tags/common.json")
}
`,
  "infra/shared.tfvars": `size = "large"\n`,
  "infra/dev.tfvars": `size = "small"\n`,
  "infra/templates/user-data.tpl": "hello ${name}",
  "tags/common.json": "{}",
  "tags/unused.json": "{}",
  "infra/other/main.tf": "",
  "README.md": "# infra\n",
};

const prepare = async (
  archive: Buffer,
  options: { varFiles?: string[]; full?: boolean } = {},
): Promise<{ repoDir: string; keptPaths: string[] }> => {
  const repoDir = path.join(await mkdtemp(path.join(os.tmpdir(), "bosun-source-")), "src");
  const tree = await prepareSourceTree({ archive, repoDir, stackDir: "infra/app", ...options });
  return { repoDir, keptPaths: tree.keptPaths };
};

describe("prepareSourceTree", () => {
  it("keeps the stack, its modules, its var files outside its dir and the files it reads literally", async () => {
    const { repoDir } = await prepare(await repoTarball(REPO), {
      varFiles: ["infra/shared.tfvars"],
    });
    expect(await filesUnder(repoDir)).toEqual([
      "infra/app/main.tf",
      "infra/app/policies/app.json",
      "infra/modules/tags/main.tf",
      "infra/shared.tfvars",
      "infra/templates/user-data.tpl",
      "tags/common.json",
    ]);
  });

  it("keeps the whole checkout with source: full", async () => {
    const { repoDir, keptPaths } = await prepare(await repoTarball(REPO), { full: true });
    expect(keptPaths).toEqual(["."]);
    expect(await filesUnder(repoDir)).toEqual(Object.keys(REPO).sort());
  });

  it("refuses a var file outside the repository", async () => {
    await expect(prepare(await repoTarball(REPO), { varFiles: ["../etc/passwd"] })).rejects.toThrow(
      "var file ../etc/passwd lies outside the repository",
    );
  });

  it("keeps what links in the stack point to inside the repository, hop by hop", async () => {
    const archive = hostileTarball(
      {
        "infra/app/main.tf": `resource "terraform_data" "x" {}\n`,
        "common/versions.tf": `terraform {}\n`,
        "common/env/prod.tfvars": `size = "large"\n`,
        "common/unrelated.txt": "no",
      },
      [
        { name: "infra/app/versions.tf", type: "2", linkname: "../../common/versions.tf" },
        { name: "infra/app/prod.tfvars", type: "2", linkname: "../shared-prod.tfvars" },
        { name: "infra/shared-prod.tfvars", type: "2", linkname: "../common/env/prod.tfvars" },
      ],
    );
    const { repoDir } = await prepare(archive);
    expect(await filesUnder(repoDir)).toEqual([
      "common/env/prod.tfvars",
      "common/versions.tf",
      "infra/app/main.tf",
      "infra/app/prod.tfvars",
      "infra/app/versions.tf",
      "infra/shared-prod.tfvars",
    ]);
    expect(await readFile(path.join(repoDir, "infra/app/prod.tfvars"), "utf8")).toBe(
      `size = "large"\n`,
    );
  });

  it("still refuses a link out of the repository (the tarball policy)", async () => {
    const archive = hostileTarball({ "infra/app/main.tf": "" }, [
      { name: "infra/app/secrets.tfvars", type: "2", linkname: "../../../etc/shadow" },
    ]);
    await expect(prepare(archive)).rejects.toBeInstanceOf(TarballError);
  });
});
