import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The stand-in engine executables (test/stand-in), faithful to the CLI contract. */
export const STAND_IN_TOFU = fileURLToPath(new URL("../stand-in/bin/tofu", import.meta.url));
export const STAND_IN_TERRAFORM = fileURLToPath(
  new URL("../stand-in/bin/terraform", import.meta.url),
);

/**
 * What a sandboxed stand-in needs to see besides its wrapper (BOSUN_SANDBOX_PATHS): its script
 * and the node_modules it imports (@cdktf/hcl2json), read-only.
 */
export const STAND_IN_SANDBOX_PATHS = [
  fileURLToPath(new URL("../stand-in", import.meta.url)),
  fileURLToPath(new URL("../../node_modules", import.meta.url)),
].join(":");

/**
 * An engine executable that is the stand-in with some of its test knobs set (STANDIN_DELAY_MS,
 * STANDIN_CRASH, …): a wrapper script, so Bosun starts it like any engine binary and never
 * passes those variables itself.
 */
export async function standInWith(
  knobs: Record<string, string>,
  flavour: "tofu" | "terraform" = "tofu",
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bosun-engine-"));
  const file = path.join(dir, flavour);
  const exports = Object.entries(knobs)
    .map(([name, value]) => `export ${name}='${value.replaceAll("'", "'\\''")}'`)
    .join("\n");
  await writeFile(
    file,
    `#!/bin/sh\n${exports}\nexec '${flavour === "tofu" ? STAND_IN_TOFU : STAND_IN_TERRAFORM}' "$@"\n`,
  );
  await chmod(file, 0o755);
  // Reachable by the account a sandboxed engine is started as when tests run as root.
  await chmod(dir, 0o755);
  return file;
}

/** One engine invocation the stand-in recorded under STANDIN_LOG: its arguments and env names. */
export interface EngineInvocation {
  argv: string[];
  env: string[];
  /** The AWS web identity the engine was handed, when it was handed one. */
  aws?: { roleArn: string; sessionName: string; tokenFile: string; token: string };
}

/** The invocations recorded in a STANDIN_LOG file, oldest first; none when it does not exist yet. */
export async function engineInvocations(logFile: string): Promise<EngineInvocation[]> {
  const text = await readFile(logFile, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as EngineInvocation);
}
