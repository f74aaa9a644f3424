import path from "node:path";
import { openRepo, parseHclFile } from "./local-modules.js";

/**
 * The file functions whose first argument names a file the configuration reads during plan
 * (OpenTofu's `language/functions/file*.mdx`, `templatefile.mdx`).
 */
const FILE_CALL =
  /\b(?:file|templatefile|filebase64|filemd5|filesha1|filesha256|filesha512|fileexists)\(\s*"(\$\{path\.(module|root)\}\/)?([^"$]*)"/g;

/**
 * The repo-relative files that `file()`, `templatefile()` and their kin name with a string the
 * configuration fixes: `"${path.module}/…"` (from the module's directory), `"${path.root}/…"`
 * or a bare relative path (from the root module's, the engine's working directory). Anything
 * computed is out of reach without evaluating the configuration, and is left out; so is a path
 * that leaves the repository (it cannot be there to keep).
 */
export async function findReferencedFiles(
  repoRoot: string,
  stackDir: string,
  moduleDirs: readonly string[],
): Promise<string[]> {
  const repo = await openRepo(repoRoot);
  const found = new Set<string>();
  for (const dir of moduleDirs) {
    if ((await repo.realDir(dir)) === undefined) continue;
    for (const file of await repo.hclFiles(dir)) {
      const document = await parseHclFile(repo.absolute(file), file);
      for (const text of strings(document)) {
        for (const match of text.matchAll(FILE_CALL)) {
          const [, prefixed, base, rest = ""] = match;
          if (rest === "" || (prefixed === undefined && path.posix.isAbsolute(rest))) continue;
          const from = base === "module" ? dir : stackDir;
          const target = repo.relative(path.posix.join(from, rest));
          if (target !== undefined) found.add(target);
        }
      }
    }
  }
  return [...found].sort();
}

/** Every string in a parsed document: hcl2json writes each expression as a `${…}` string. */
function* strings(value: unknown): Generator<string> {
  if (typeof value === "string") yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (value !== null && typeof value === "object")
    for (const item of Object.values(value)) yield* strings(item);
}
