// Whether dist/ holds a complete build of the sources in this checkout. Plain JavaScript: it runs
// before anything is compiled (bin/bosun.js, scripts/build.js).
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

/** Written last by scripts/build.js, so a build that failed or was cut short is never "fresh". */
export const BUILD_STAMP = path.join("dist", ".build-stamp");

/** What a build is made from: the sources and the compiler's settings. */
const INPUTS = ["src", "tsconfig.json", "tsconfig.build.json"];

/** Last modification time in ms, or undefined when the path does not exist. */
async function modified(file) {
  try {
    return (await stat(file)).mtimeMs;
  } catch (error) {
    if (error.code === "ENOENT") return undefined;
    throw error;
  }
}

/** The newest modification among the build's inputs; undefined where there are none (an image). */
async function newestInput(root) {
  let newest;
  for (const input of INPUTS) {
    const at = path.join(root, input);
    const files = input === "src" ? await readdir(at, { recursive: true }).catch(() => []) : [""];
    for (const file of files) {
      const time = await modified(path.join(at, file));
      if (time !== undefined && (newest === undefined || time > newest)) newest = time;
    }
  }
  return newest;
}

/** True when dist/ was built, completely, after the last change to any input. */
export async function buildIsFresh(root) {
  const builtAt = await modified(path.join(root, BUILD_STAMP));
  if (builtAt === undefined) return false;
  const inputsAt = await newestInput(root);
  return inputsAt === undefined || builtAt >= inputsAt;
}
