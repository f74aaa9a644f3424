import { spawn } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bosunArguments } from "../helpers/bosun-cli.js";

const fixtureDir = fileURLToPath(new URL("../fixtures/atlantis/", import.meta.url));

/** `bosun ARGS` with no database, GitHub or operator settings in its environment: it needs none. */
function bosun(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, bosunArguments(args), {
    env: { PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

describe("bosun import-atlantis", () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), "bosun-import-atlantis-"));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it("prints the bosun.yml of an atlantis.yaml on stdout and exits 0", async () => {
    // Under the name people give it, which the output's first line repeats.
    const file = path.join(scratch, "atlantis.yaml");
    await copyFile(path.join(fixtureDir, "shared-modules.yaml"), file);
    const { code, stdout, stderr } = await bosun(["import-atlantis", file]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toBe(await readFile(path.join(fixtureDir, "shared-modules.bosun.yml"), "utf8"));
  });

  it("prints each problem as FILE:LINE:COLUMN on stderr and exits 1", async () => {
    const file = path.join(fixtureDir, "bad.yaml");
    const { code, stdout, stderr } = await bosun(["import-atlantis", file]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr.split("\n")).toEqual([
      `bosun: ${file} is not an atlantis.yaml the importer can read:`,
      `${file}:5:36: projects[0].apply_requirements[1]: Invalid option: expected one of "approved"|"mergeable"|"undiverged"`,
      `${file}:7:5: projects[1].dir: must not contain .. (Atlantis refuses it too)`,
      `${file}:8:5: projects[2].dir: a glob dir expands to a project per directory; a Bosun stack is one directory: list each directory as a project first`,
      `${file}:10:7: projects[2].autoplan.when_modifed: unknown key "when_modifed"`,
      "",
    ]);
  });

  it("says which file it cannot read and exits 1", async () => {
    const file = path.join(scratch, "missing.yaml");
    const { code, stdout, stderr } = await bosun(["import-atlantis", file]);
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: "",
      stderr: `bosun: cannot read ${file} (ENOENT)\n`,
    });
  });
});
