import path from "node:path";

/**
 * The repo-relative path of a file a diagnostic names. The engine runs in the stack's `dir`, so
 * its filenames are relative to that (`main.tf`, `../modules/vpc/main.tf`). Undefined for a
 * path GitHub could not annotate: absolute, or outside the repository.
 */
export function diagnosticPath(dir: string, filename: string): string | undefined {
  if (filename === "" || path.posix.isAbsolute(filename) || /^[A-Za-z]:[\\/]/.test(filename)) {
    return undefined;
  }
  const joined = path.posix.normalize(path.posix.join(dir, filename.replace(/\\/g, "/")));
  if (joined === ".." || joined.startsWith("../") || path.posix.isAbsolute(joined))
    return undefined;
  return joined.replace(/^\.\//, "");
}
