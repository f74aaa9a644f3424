#!/usr/bin/env node
// `bosun`: the compiled CLI (dist/, `npm run build`) when it is complete and newer than every
// source, as in a built image; otherwise the TypeScript in src/ through tsx (a development
// dependency, which `npm ci` installs), so that a checkout needs nothing but `npm ci` and never
// runs a stale build.
import path from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL, URL } from "node:url";
import { buildIsFresh } from "./build-state.js";

const root = fileURLToPath(new URL("..", import.meta.url));

if (await buildIsFresh(root)) {
  await import(pathToFileURL(path.join(root, "dist", "cli.js")).href);
} else {
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    process.stderr.write(
      "bosun: dist/ is missing or older than src/, and tsx (a development dependency) is not installed: run `npm run build`, or `npm ci` with development dependencies\n",
    );
    process.exit(1);
  }
  // The repository's tsconfig.json wherever the command is run from.
  register({ tsconfig: path.join(root, "tsconfig.json") });
  await import(pathToFileURL(path.join(root, "src", "cli.ts")).href);
}
