import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { extractTarball, type TarballLimits } from "./extract-tarball.js";
import { findStackPaths, HclError, type HclFinding, scanHcl } from "./local-modules.js";
import { SOURCE_LIMITS } from "./source-tree.js";

export interface SourceInspection {
  /** Per stack dir: the repo-relative dirs that make the stack (its own and its local modules'). */
  watchedPaths: Map<string, string[]>;
  /** Constructs that run code or reach out during plan, in those dirs. */
  findings: HclFinding[];
}

/**
 * Reads a commit's source without running anything: which directories each stack is made of, and
 * what in them runs code during plan. A stack whose directory is missing or unparsable watches its
 * own directory only; its plan then fails with the engine's own message.
 */
export async function inspectSource(
  archive: Buffer,
  stackDirs: readonly string[],
  limits: TarballLimits = SOURCE_LIMITS,
): Promise<SourceInspection> {
  const root = await mkdtemp(path.join(os.tmpdir(), "bosun-inspect-"));
  try {
    await extractTarball(archive, root, limits);
    const watchedPaths = new Map<string, string[]>();
    for (const dir of stackDirs) {
      try {
        watchedPaths.set(dir, await findStackPaths(root, dir));
      } catch (error) {
        if (!(error instanceof HclError)) throw error;
        watchedPaths.set(dir, [dir]);
      }
    }
    const dirs = [...new Set([...watchedPaths.values()].flat())];
    let findings: HclFinding[] = [];
    try {
      findings = await scanHcl(root, dirs);
    } catch (error) {
      if (!(error instanceof HclError)) throw error;
    }
    return { watchedPaths, findings };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
