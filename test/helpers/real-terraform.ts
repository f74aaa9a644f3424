import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

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
  const bin = await onPath(process.env.TEST_TERRAFORM_BIN ?? "terraform");
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

/** `name` as an absolute path (searched on PATH when it has no slash); as given when not found. */
async function onPath(name: string): Promise<string> {
  if (name.includes("/")) return path.resolve(name);
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return name;
}
