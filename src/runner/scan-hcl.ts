import type { HclFinding } from "../domain/hcl-finding.js";
import {
  eachLabeled,
  HclDocument,
  HclError,
  isLocalSource,
  openRepo,
  parseHclFile,
  RequiredProvider,
} from "./local-modules.js";

/**
 * Lists the `data "external"` sources, provisioners, providers (from `required_providers` and
 * `provider` blocks) and modules whose source is not a local path in the HCL files of `dirs`
 * (repo-relative; each directory on its own, not recursively; missing directories are skipped),
 * and every file that cannot be parsed, as an `unparsable` finding: the scan goes on with the
 * other files, and a file it could not read never passes for one with nothing in it. Findings
 * come in directory, file and block order.
 */
export async function scanHcl(repoRoot: string, dirs: string[]): Promise<HclFinding[]> {
  const repo = await openRepo(repoRoot);
  const findings: HclFinding[] = [];
  const relDirs = new Set<string>();
  for (const dir of dirs) {
    const rel = repo.relative(dir);
    if (rel === undefined) {
      throw new HclError("outside-repo", dir, `scanning ${dir}: it lies outside the repository`);
    }
    relDirs.add(rel);
  }
  for (const dir of [...relDirs].sort()) {
    const real = await repo.realDir(dir);
    if (real === undefined) continue;
    if (real.outside) {
      throw new HclError(
        "outside-repo",
        dir,
        `scanning ${dir}: it is a link to a directory outside the repository`,
      );
    }
    const files: ({ file: string; doc: HclDocument } | { file: string; unparsable: HclFinding })[] =
      [];
    for (const file of await repo.hclFiles(dir)) {
      try {
        files.push({ file, doc: await parseHclFile(repo.absolute(file), file) });
      } catch (error) {
        if (!(error instanceof HclError)) throw error;
        const detail = shorten(error.message);
        files.push({ file, unparsable: { kind: "unparsable", file, name: file, detail } });
      }
    }
    // A provider's source is declared once per module, in any of its files.
    const sources = new Map<string, string>();
    for (const entry of files) {
      if (!("doc" in entry)) continue;
      for (const [local, requirement] of eachRequiredProvider(entry.doc)) {
        if (requirement.source !== undefined) sources.set(local, requirement.source.toLowerCase());
      }
    }
    const sourceOf = (local: string): string => sources.get(local) ?? `hashicorp/${local}`;
    for (const entry of files) {
      if ("doc" in entry) findings.push(...findingsIn(entry.file, entry.doc, sourceOf));
      else findings.push(entry.unparsable);
    }
  }
  return findings;
}

function findingsIn(
  file: string,
  doc: HclDocument,
  sourceOf: (local: string) => string,
): HclFinding[] {
  const findings: HclFinding[] = [];
  for (const byType of doc.data ?? []) {
    for (const [name, body] of eachLabeled(byType["external"])) {
      findings.push({
        kind: "external-data-source",
        file,
        name: `data.external.${name}`,
        detail: `program = ${describe(body["program"])}`,
      });
    }
  }
  for (const byType of doc.resource ?? []) {
    for (const [type, resources] of Object.entries(byType)) {
      for (const [name, resource] of eachLabeled(resources)) {
        for (const [provisioner, body] of eachLabeled(resource.provisioner)) {
          findings.push(
            provisioner === "local-exec"
              ? {
                  kind: "local-exec",
                  file,
                  name: `${type}.${name}`,
                  detail: `command = ${describe(body["command"])}`,
                }
              : { kind: "provisioner", file, name: `${type}.${name}`, detail: provisioner },
          );
        }
      }
    }
  }
  for (const [name, module] of eachLabeled(doc.module)) {
    // Anything but a literal local path is fetched by `init` from wherever it names.
    if (typeof module.source === "string" && isLocalSource(module.source)) continue;
    findings.push({
      kind: "remote-module",
      file,
      name: `module.${name}`,
      detail: `source = ${describe(module.source)}`,
    });
  }
  for (const [local, requirement] of eachRequiredProvider(doc)) {
    const version = requirement.version === undefined ? "" : ` ${requirement.version}`;
    findings.push({
      kind: "provider",
      file,
      name: sourceOf(local),
      detail: `required_providers ${local}${version}`,
    });
  }
  for (const [local, body] of eachLabeled(doc.provider)) {
    const alias = typeof body["alias"] === "string" ? ` (alias ${body["alias"]})` : "";
    findings.push({
      kind: "provider",
      file,
      name: sourceOf(local),
      detail: `provider "${local}"${alias}`,
    });
  }
  return findings;
}

function* eachRequiredProvider(
  doc: HclDocument,
): Generator<[string, { source?: string | undefined; version?: string | undefined }]> {
  for (const terraform of doc.terraform ?? []) {
    for (const requirements of terraform.required_providers ?? []) {
      for (const [local, value] of Object.entries(requirements)) {
        const requirement = RequiredProvider.safeParse(value);
        // An unreadable entry still names a provider: report it with its implied source.
        yield [local, requirement.success ? requirement.data : {}];
      }
    }
  }
}

const MAX_DETAIL = 200;

function describe(value: unknown): string {
  return shorten(
    typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? "?"),
  );
}

function shorten(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}
