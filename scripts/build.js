#!/usr/bin/env node
// `npm run build`: compiles src/ into dist/ (tsconfig.build.json); with --if-stale, only when dist/
// is missing or older than a source (bin/build-state.js), as `npm start` asks. The build goes to a
// scratch directory that replaces dist/ once tsc succeeds, so a failed or interrupted build leaves
// the previous one, or none, never half of one.
import { spawnSync } from "node:child_process";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";
import { BUILD_STAMP, buildIsFresh } from "../bin/build-state.js";

const root = fileURLToPath(new URL("..", import.meta.url));
if (process.argv.includes("--if-stale") && (await buildIsFresh(root))) process.exit(0);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
} catch {
  process.stderr.write(
    "bosun: dist/ is missing or older than src/, and TypeScript is not installed to build it: run `npm ci` (with development dependencies), then `npm run build`\n",
  );
  process.exit(1);
}

const started = Date.now();
process.stderr.write("bosun: building dist/ (tsc -p tsconfig.build.json)\n");
const scratch = await mkdtemp(path.join(root, ".dist-"));
const result = spawnSync(
  process.execPath,
  [tsc, "-p", path.join(root, "tsconfig.build.json"), "--outDir", scratch],
  { stdio: "inherit" },
);
if (result.status !== 0) {
  await rm(scratch, { recursive: true, force: true });
  process.stderr.write("bosun: the build failed; dist/ is unchanged\n");
  process.exit(result.status ?? 1);
}
await writeFile(path.join(scratch, path.basename(BUILD_STAMP)), `${new Date().toISOString()}\n`);
await rm(path.join(root, "dist"), { recursive: true, force: true });
await rename(scratch, path.join(root, "dist"));
process.stderr.write(`bosun: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
