import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CommandResult } from "../lib/command-result.js";
import { importAtlantisConfig } from "./import-atlantis-config.js";

/**
 * `bosun import-atlantis FILE`: the bosun.yml equivalent to an Atlantis `atlantis.yaml` on stdout,
 * or its problems on stderr as `FILE:LINE:COLUMN: path: message` (the form editors and terminals
 * link to the place) with exit code 1.
 */
export async function importAtlantisCommand(input: { file: string }): Promise<CommandResult> {
  let text: string;
  try {
    text = await readFile(input.file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { exitCode: 1, stdout: "", stderr: `bosun: cannot read ${input.file} (${code})\n` };
  }
  // The output's header names the file it came from, wherever it was read.
  const result = importAtlantisConfig(text, path.basename(input.file));
  if (result.ok) return { exitCode: 0, stdout: result.text, stderr: "" };
  const lines = result.problems.map((problem) => {
    const where =
      problem.line === undefined
        ? input.file
        : `${input.file}:${problem.line}:${problem.column ?? 1}`;
    return `${where}: ${problem.path === "" ? "" : `${problem.path}: `}${problem.message}\n`;
  });
  return {
    exitCode: 1,
    stdout: "",
    stderr: `bosun: ${input.file} is not an atlantis.yaml the importer can read:\n${lines.join("")}`,
  };
}
