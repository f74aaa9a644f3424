#!/usr/bin/env node
// `bosun`: the compiled CLI (dist/, `npm run build`) when it is there and newer than every source
// file, as in a built image; otherwise the TypeScript in src/ through tsx, so that a checkout
// needs nothing but `npm ci` and never runs a stale build.
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL, URL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = path.join(root, "dist", "cli.js");
const sources = path.join(root, "src");

/** Last modification time in ms, or undefined when the path does not exist. */
async function modified(file) {
  try {
    return (await stat(file)).mtimeMs;
  } catch (error) {
    if (error.code === "ENOENT") return undefined;
    throw error;
  }
}

/** The newest modification among the sources, or undefined where there are none (a package). */
async function newestSource() {
  let files;
  try {
    files = await readdir(sources, { recursive: true });
  } catch (error) {
    if (error.code === "ENOENT") return undefined;
    throw error;
  }
  const times = await Promise.all(files.map((file) => modified(path.join(sources, file))));
  return Math.max(...times.filter((time) => time !== undefined));
}

const builtAt = await modified(built);
const sourcesAt = builtAt === undefined ? undefined : await newestSource();
if (builtAt !== undefined && (sourcesAt === undefined || builtAt >= sourcesAt)) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import("tsx/esm/api");
  // The repository's tsconfig.json wherever the command is run from.
  register({ tsconfig: path.join(root, "tsconfig.json") });
  await import(pathToFileURL(path.join(sources, "cli.ts")).href);
}
