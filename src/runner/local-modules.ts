import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { parse } from "@cdktn/hcl2json";
import { z } from "zod";

/**
 * Reading a stack's HCL without running an engine: which directories make up a stack (so that a
 * change to a local module marks the stacks that use it as affected, docs/design.md `when_modified`),
 * and which constructs run code or reach out during plan (docs/design.md "Trust").
 *
 * HCL goes through @cdktn/hcl2json (HashiCorp's own parser compiled to WebAssembly); `.tf.json`
 * files are JSON already. Nothing here evaluates expressions: a module source is used only when
 * it is a literal local path.
 */

export type HclErrorCode =
  /** A file or directory could not be read. */
  | "read-failed"
  /** A file is not valid HCL (or JSON, for `.tf.json`). */
  | "syntax"
  /** A file parsed, but a block has a shape Terraform would not accept either. */
  | "unexpected-structure"
  /** The stack directory, a scanned directory or an HCL file lies outside the repository. */
  | "outside-repo"
  /** A local module source resolves outside the repository. */
  | "module-outside-repo"
  /** The stack directory does not exist. */
  | "dir-not-found";

export class HclError extends Error {
  override readonly name = "HclError";
  readonly code: HclErrorCode;
  /** The repo-relative file or directory the error is about. */
  readonly file: string;

  constructor(code: HclErrorCode, file: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.file = file;
  }
}

/**
 * A block type may appear as one object or as a list of them: hcl2json writes lists, Terraform's
 * JSON syntax allows both. Either way the parsed value is a list.
 */
function blocks<T extends z.ZodType>(item: T) {
  return z
    .union([z.array(item), item])
    .transform((value): z.output<T>[] => (Array.isArray(value) ? value : [value]));
}

/** `type "label" { … }`: a map from label to the blocks carrying it. */
function labeled<T extends z.ZodType>(item: T) {
  return blocks(z.record(z.string(), blocks(item)));
}

const Body = z.record(z.string(), z.unknown());
const ModuleBody = z.looseObject({ source: z.unknown().optional() });
const ResourceBody = z.looseObject({
  provisioner: labeled(Body).optional(),
});
const TerraformBody = z.looseObject({
  required_providers: blocks(z.record(z.string(), z.unknown())).optional(),
});
export const RequiredProvider = z.union([
  z.looseObject({ source: z.string().optional(), version: z.string().optional() }),
  // Terraform 0.12's shorthand: `aws = "~> 2.0"` is a version constraint.
  z.string().transform((version) => ({ source: undefined, version })),
]);

/** The parts of a parsed HCL file this module reads; everything else passes through untouched. */
export const HclDocument = z.looseObject({
  module: labeled(ModuleBody).optional(),
  provider: labeled(Body).optional(),
  data: blocks(z.record(z.string(), labeled(Body))).optional(),
  resource: blocks(z.record(z.string(), labeled(ResourceBody))).optional(),
  terraform: blocks(TerraformBody).optional(),
  variable: labeled(Body).optional(),
});
export type HclDocument = z.infer<typeof HclDocument>;

/**
 * Parses one `.tf`/`.tofu` (HCL) or `.tf.json`/`.tofu.json` file. `displayName` (a repo-relative
 * path, say) is what errors and hcl2json's own diagnostics call the file.
 */
export async function parseHclFile(
  filePath: string,
  displayName: string = filePath,
): Promise<HclDocument> {
  let text: string;
  try {
    text = await readFile(filePath, "utf8");
  } catch (error) {
    throw new HclError("read-failed", displayName, `reading ${displayName}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = filePath.endsWith(".json") ? JSON.parse(text) : await parse(displayName, text);
  } catch (error) {
    throw new HclError("syntax", displayName, `parsing ${displayName}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const result = HclDocument.safeParse(raw);
  if (!result.success) {
    throw new HclError(
      "unexpected-structure",
      displayName,
      `reading ${displayName}: unexpected structure: ${z.prettifyError(result.error)}`,
      { cause: result.error },
    );
  }
  return result.data;
}

/**
 * The repo-relative POSIX paths of the stack directory and of every local module it uses,
 * transitively, sorted and without duplicates (the repository root is "."). A module source is
 * local when it starts with `./` or `../`, as Terraform defines it; registry, git and other
 * sources are left out. A local module directory that does not exist is listed (its deletion is
 * a change to the stack) but not followed. A module directory that is a symbolic link is listed
 * under both its own path and its target's, so a change to either marks the stack.
 */
export async function findStackPaths(repoRoot: string, stackDir: string): Promise<string[]> {
  const repo = await openRepo(repoRoot);
  const start = repo.relative(stackDir);
  if (start === undefined) {
    throw new HclError(
      "outside-repo",
      stackDir,
      `finding the modules of stack ${stackDir}: the directory lies outside the repository`,
    );
  }
  if ((await repo.realDir(start)) === undefined) {
    throw new HclError(
      "dir-not-found",
      start,
      `finding the modules of stack ${start}: the directory does not exist`,
    );
  }

  const found = new Set<string>();
  const queue = [start];
  for (let dir = queue.pop(); dir !== undefined; dir = queue.pop()) {
    if (found.has(dir)) continue;
    found.add(dir);
    const real = await repo.realDir(dir);
    if (real === undefined) continue;
    if (real.outside) {
      throw new HclError(
        dir === start ? "outside-repo" : "module-outside-repo",
        dir,
        `finding the modules of stack ${start}: ${dir} is a link to a directory outside the repository`,
      );
    }
    if (real.relative !== dir) found.add(real.relative);
    for (const file of await repo.hclFiles(dir)) {
      const doc = await parseHclFile(repo.absolute(file), file);
      for (const [name, module] of eachLabeled(doc.module)) {
        const source = module.source;
        if (typeof source !== "string" || !isLocalSource(source)) continue;
        const target = path.posix.join(dir, source).replace(/(.)\/+$/, "$1");
        if (!isInside(target)) {
          throw new HclError(
            "module-outside-repo",
            file,
            `finding the modules of stack ${start}: module "${name}" in ${file} has source "${source}", which lies outside the repository`,
          );
        }
        queue.push(target);
      }
    }
  }
  return [...found].sort();
}

/**
 * The input variables a root module declares (`variable` blocks in the HCL files of `dir` itself,
 * repo-relative), sorted; undefined when the directory does not exist.
 */
export async function declaredVariables(
  repoRoot: string,
  dir: string,
): Promise<string[] | undefined> {
  const repo = await openRepo(repoRoot);
  const rel = repo.relative(dir);
  const real = rel === undefined ? undefined : await repo.realDir(rel);
  if (rel === undefined || real === undefined || real.outside) return undefined;
  const names = new Set<string>();
  for (const file of await repo.hclFiles(rel)) {
    const doc = await parseHclFile(repo.absolute(file), file);
    for (const [name] of eachLabeled(doc.variable)) names.add(name);
  }
  return [...names].sort();
}

export function* eachLabeled<T>(groups: Record<string, T[]>[] | undefined): Generator<[string, T]> {
  for (const group of groups ?? []) {
    for (const [label, bodies] of Object.entries(group)) {
      for (const body of bodies) yield [label, body];
    }
  }
}

/** Terraform's rule: only `./` and `../` prefixes make a source a local path. */
export function isLocalSource(source: string): boolean {
  return source.startsWith("./") || source.startsWith("../");
}

/** True when a normalized repo-relative POSIX path stays inside the repository. */
function isInside(rel: string): boolean {
  return rel !== ".." && !rel.startsWith("../") && !path.posix.isAbsolute(rel);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const HCL_EXTENSIONS = [".tf", ".tf.json", ".tofu", ".tofu.json"];

/**
 * Terraform skips editor droppings: dotfiles, `name~` backups and `#name#` autosaves
 * (configs.IsIgnoredFile in hashicorp/terraform).
 */
function isIgnoredFile(name: string): boolean {
  return name.startsWith(".") || name.endsWith("~") || (name.startsWith("#") && name.endsWith("#"));
}

export interface Repo {
  /** The normalized repo-relative POSIX form of `dir`, or undefined when it lies outside. */
  relative(dir: string): string | undefined;
  absolute(rel: string): string;
  /** Where `rel` really is once links are followed, or undefined when it is not a directory. */
  realDir(rel: string): Promise<{ relative: string; outside: boolean } | undefined>;
  /** The repo-relative paths of the HCL files directly in `rel`, sorted. */
  hclFiles(rel: string): Promise<string[]>;
}

export async function openRepo(repoRoot: string): Promise<Repo> {
  const root = path.resolve(repoRoot);
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (error) {
    throw new HclError("read-failed", ".", `opening repository ${root}: ${messageOf(error)}`, {
      cause: error,
    });
  }

  const absolute = (rel: string): string => path.join(root, ...rel.split("/"));

  const realRelative = async (abs: string): Promise<{ relative: string; outside: boolean }> => {
    const real = await realpath(abs);
    const rel = path.relative(realRoot, real).split(path.sep).join("/");
    return { relative: rel === "" ? "." : rel, outside: !isInside(rel) };
  };

  return {
    absolute,
    relative(dir) {
      const rel = path.posix.normalize(dir.split(path.sep).join("/")).replace(/\/+$/, "");
      const normalized = rel === "" ? "." : rel;
      return isInside(normalized) ? normalized : undefined;
    },
    async realDir(rel) {
      try {
        if (!(await stat(absolute(rel))).isDirectory()) return undefined;
        return await realRelative(absolute(rel));
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw new HclError("read-failed", rel, `reading directory ${rel}: ${messageOf(error)}`, {
          cause: error,
        });
      }
    },
    async hclFiles(rel) {
      const abs = absolute(rel);
      let names: string[];
      try {
        names = (await readdir(abs, { withFileTypes: true }))
          .filter((entry) => entry.isFile() || entry.isSymbolicLink())
          .map((entry) => entry.name)
          .filter(
            (name) => !isIgnoredFile(name) && HCL_EXTENSIONS.some((ext) => name.endsWith(ext)),
          )
          .sort();
      } catch (error) {
        throw new HclError("read-failed", rel, `listing ${rel}: ${messageOf(error)}`, {
          cause: error,
        });
      }
      const files: string[] = [];
      for (const name of names) {
        const file = path.posix.join(rel, name);
        let real: { relative: string; outside: boolean };
        try {
          if (!(await stat(absolute(file))).isFile()) continue;
          real = await realRelative(absolute(file));
        } catch (error) {
          // A dangling link is no file Terraform would read.
          if (isMissing(error)) continue;
          throw new HclError("read-failed", file, `reading ${file}: ${messageOf(error)}`, {
            cause: error,
          });
        }
        if (real.outside) {
          throw new HclError(
            "outside-repo",
            file,
            `reading ${file}: it is a link to a file outside the repository`,
          );
        }
        files.push(file);
      }
      return files;
    },
  };
}

function isMissing(error: unknown): boolean {
  const code = error instanceof Error && "code" in error ? error.code : undefined;
  return code === "ENOENT" || code === "ENOTDIR";
}
