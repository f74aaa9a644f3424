/** What the pre-plan scan of a stack's HCL can find (src/runner/scan-hcl.ts finds them). */
export const HclFindingKind = [
  "external-data-source",
  "local-exec",
  "provisioner",
  "provider",
  /** A module fetched from elsewhere (registry, git, an archive): code no one reviewed here. */
  "remote-module",
  /** A file the parser could not read: what it holds was not scanned, so it is not a pass. */
  "unparsable",
] as const;
export type HclFindingKind = (typeof HclFindingKind)[number];

/**
 * A construct that runs code or fetches a plugin or module during plan, or a file that could not
 * be scanned. `name` is what to compare across branches: the Terraform address
 * (`data.external.x`, `null_resource.y`, `module.vpc`), for a provider its source address
 * (`hashicorp/aws`; implied as `hashicorp/<name>` when none is declared), for an unparsable file
 * the file. hcl2json reports no line numbers, so a finding names its file only.
 */
export interface HclFinding {
  kind: HclFindingKind;
  /** Repo-relative POSIX path of the file. */
  file: string;
  name: string;
  /** Human-readable: the program or command, the provisioner type, the provider's local name. */
  detail: string;
}
