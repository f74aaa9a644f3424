import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { locateExecutable } from "../../src/lib/locate-executable.js";

/** The real Terraform CLI the end-to-end flow runs: `TEST_TERRAFORM_BIN`, else `terraform` on PATH. */
export interface RealTerraform {
  /** An absolute path: Bosun starts engines with an environment of its own making. */
  bin: string;
  version: string;
}

/**
 * Finds the real Terraform CLI, or fails with what to install: CI machines carry it, and a flow
 * that quietly skipped when it is missing would leave the stand-in as the only engine ever met.
 */
export async function realTerraform(): Promise<RealTerraform> {
  const name = process.env.TEST_TERRAFORM_BIN ?? "terraform";
  const bin = (await locateExecutable(name, process.env.PATH, process.cwd())) ?? name;
  let stdout: string;
  try {
    // The host's TF_CLI_CONFIG_FILE may name a file that is not there; it is only a warning.
    ({ stdout } = await promisify(execFile)(bin, ["version", "-json"], { timeout: 30_000 }));
  } catch (error) {
    throw new Error(
      `the real Terraform CLI is required for this test and "${bin} version -json" failed ` +
        `(${error instanceof Error ? error.message : String(error)}): install Terraform ≥ 1.5 on ` +
        "PATH, or point TEST_TERRAFORM_BIN at it",
      { cause: error },
    );
  }
  const version = (JSON.parse(stdout) as { terraform_version?: unknown }).terraform_version;
  if (typeof version !== "string")
    throw new Error(`"${bin} version -json" printed no terraform_version: ${stdout}`);
  return { bin, version };
}
