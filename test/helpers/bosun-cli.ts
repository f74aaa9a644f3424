import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Where the test processes find the JavaScript copy of src/ this setup leaves. */
const CLI_BUILD_VARIABLE = "BOSUN_TEST_CLI_BUILD";

/**
 * PGlite is PostgreSQL compiled to WebAssembly: V8's optimising tier recompiles it in the
 * background at every start, a third of a short `bosun` process's CPU; its baseline compiler
 * runs the same code.
 */
const V8_FLAGS = ["--liftoff-only"];

/**
 * Node's arguments for `bosun ARGS` from this working tree: the JavaScript copy of src/ when the
 * Vitest setup made one, otherwise through tsx as `npx tsx src/cli.ts` does. Under tsx every start
 * spends seconds of CPU in its loader thread and source maps, and the tests start a few dozen.
 */
export function bosunArguments(args: readonly string[]): string[] {
  const build = process.env[CLI_BUILD_VARIABLE];
  return build
    ? [...V8_FLAGS, path.join(build, "src", "cli.js"), ...args]
    : [...V8_FLAGS, "--import", "tsx", path.join(ROOT, "src", "cli.ts"), ...args];
}

/**
 * Vitest global setup: src/ transpiled file by file (TypeScript's transpileModule, no type check,
 * as tsx does with esbuild) into a scratch directory laid out like the repository, so
 * `new URL("../../migrations", import.meta.url)`, keys/ and bare imports resolve as from src/.
 * Made from the working tree at every run, so it is never stale.
 */
export async function setup(): Promise<() => Promise<void>> {
  const { default: ts } = await import("typescript");
  const build = await mkdtemp(path.join(os.tmpdir(), "bosun-cli-"));
  const sources = (await readdir(path.join(ROOT, "src"), { recursive: true })).filter((file) =>
    file.endsWith(".ts"),
  );
  await Promise.all(
    sources.map(async (file) => {
      const { outputText } = ts.transpileModule(
        await readFile(path.join(ROOT, "src", file), "utf8"),
        {
          fileName: file,
          compilerOptions: {
            module: ts.ModuleKind.ESNext,
            target: ts.ScriptTarget.ES2022,
            verbatimModuleSyntax: true,
          },
        },
      );
      const target = path.join(build, "src", file.replace(/\.ts$/, ".js"));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, outputText);
    }),
  );
  await writeFile(path.join(build, "package.json"), JSON.stringify({ type: "module" }));
  for (const shared of ["migrations", "node_modules", "keys", "app.yml"]) {
    await symlink(path.join(ROOT, shared), path.join(build, shared));
  }
  process.env[CLI_BUILD_VARIABLE] = build;
  return () => rm(build, { recursive: true, force: true });
}
