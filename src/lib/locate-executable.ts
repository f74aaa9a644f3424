import { constants } from "node:fs";
import { access } from "node:fs/promises";
import path from "node:path";

/**
 * An executable as the shell would find it: a name with a slash is resolved against `cwd`, a bare
 * name is the first executable match in `pathVariable`'s directories. Undefined when none is.
 */
export async function locateExecutable(
  file: string,
  pathVariable: string | undefined,
  cwd: string,
): Promise<string | undefined> {
  const candidates = file.includes("/")
    ? [path.resolve(cwd, file)]
    : (pathVariable ?? "")
        .split(":")
        .filter(Boolean)
        .map((dir) => path.join(dir, file));
  for (const candidate of candidates) {
    const executable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (executable) return candidate;
  }
  return undefined;
}
