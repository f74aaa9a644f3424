import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * `bin/bosun.js` (`npx bosun`) in a checkout laid out like this one: it runs dist/ only when a
 * build finished (dist/.build-stamp) after the last change to src/ and the tsconfigs, and the
 * TypeScript through tsx otherwise; without sources (the image) the stamp alone decides.
 */

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const run = promisify(execFile);

describe("bin/bosun.js", () => {
  let checkout: string;
  const at = (...parts: string[]) => path.join(checkout, ...parts);
  const bosun = async () => (await run(process.execPath, [at("bin", "bosun.js")])).stdout.trim();
  const age = (file: string, secondsAgo: number) => {
    const when = new Date(Date.now() - secondsAgo * 1000);
    return utimes(at(file), when, when);
  };

  beforeAll(async () => {
    checkout = await mkdtemp(path.join(os.tmpdir(), "bosun-bin-"));
    await mkdir(at("bin"));
    await mkdir(at("dist"));
    await mkdir(at("src", "web"), { recursive: true });
    for (const file of ["bosun.js", "build-state.js"]) {
      await copyFile(path.join(ROOT, "bin", file), at("bin", file));
    }
    await writeFile(at("package.json"), JSON.stringify({ type: "module" }));
    await writeFile(
      at("tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "NodeNext" } }),
    );
    await writeFile(at("tsconfig.build.json"), "{}");
    await writeFile(at("dist", "cli.js"), 'console.log("dist");\n');
    await writeFile(at("src", "cli.ts"), 'const from: string = "src";\nconsole.log(from);\n');
    await writeFile(at("src", "web", "page.ts"), "export {};\n");
    await symlink(path.join(ROOT, "node_modules"), at("node_modules"));
    // Directories count too: a deleted source changes its directory, and its output must go.
    for (const file of [
      "tsconfig.json",
      "tsconfig.build.json",
      "src/cli.ts",
      "src/web/page.ts",
      "src/web",
    ]) {
      await age(file, 60);
    }
  });
  afterAll(() => rm(checkout, { recursive: true, force: true }));

  it("runs the TypeScript while no build finished", async () => {
    expect(await bosun()).toBe("src");
  });

  it("runs dist/ once a build finished after every source", async () => {
    await writeFile(at("dist", ".build-stamp"), "now\n");
    expect(await bosun()).toBe("dist");
  });

  it("runs the TypeScript again once a source, however deep, or a tsconfig is newer", async () => {
    await age("dist/.build-stamp", 30);
    await writeFile(at("src", "web", "page.ts"), "export const changed = true;\n");
    expect(await bosun()).toBe("src");
    await age("src/web/page.ts", 60);
    expect(await bosun()).toBe("dist");
    await writeFile(at("tsconfig.build.json"), '{ "compilerOptions": {} }');
    expect(await bosun()).toBe("src");
  });

  it("runs dist/ where there are no sources, as in the image", async () => {
    await rm(at("src"), { recursive: true });
    await rm(at("tsconfig.json"));
    await rm(at("tsconfig.build.json"));
    expect(await bosun()).toBe("dist");
  });
});
