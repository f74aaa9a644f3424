import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { extractTarball } from "./extract-tarball.js";
import { TarballError } from "./tarball-error.js";
import type { TarballLimits } from "./tarball-limits.js";
import type { HclFinding } from "../domain/hcl-finding.js";
import { declaredVariables, findStackPaths, HclError } from "./local-modules.js";
import { scanHcl } from "./scan-hcl.js";
import { SOURCE_LIMITS } from "./source-tree.js";

export interface SourceInspection {
  /** Per stack dir: the repo-relative dirs that make the stack (its own and its local modules'). */
  watchedPaths: Map<string, string[]>;
  /** Constructs that run code or reach out during plan, in those dirs. */
  findings: HclFinding[];
  /** Per stack dir: the input variables it declares; missing when it cannot be read. */
  declaredVariables: Map<string, string[]>;
  /** Why the archive was refused, when it was: then nothing was read from it. */
  refused?: TarballError;
}

/**
 * Reads a commit's source without running anything: which directories each stack is made of, the
 * variables each declares, and what in them runs code during plan. A stack whose directory is
 * missing or unparsable watches its own directory only; its plan then fails with the engine's own
 * message.
 */
export async function inspectSource(
  archive: Buffer,
  stackDirs: readonly string[],
  limits: TarballLimits = SOURCE_LIMITS,
): Promise<SourceInspection> {
  const root = await mkdtemp(path.join(os.tmpdir(), "bosun-inspect-"));
  try {
    try {
      await extractTarball(archive, root, limits);
    } catch (error) {
      // A hostile archive is refused again, under the same limits, when a run prepares its
      // workspace, and that failure is what GitHub shows, the entry named. Throwing here instead
      // would fail the webhook's job, retried in silence.
      if (!(error instanceof TarballError)) throw error;
      return {
        watchedPaths: new Map(),
        findings: [],
        declaredVariables: new Map(),
        refused: error,
      };
    }
    const watchedPaths = new Map<string, string[]>();
    for (const dir of stackDirs) {
      try {
        watchedPaths.set(dir, await findStackPaths(root, dir));
      } catch (error) {
        if (!(error instanceof HclError)) throw error;
        watchedPaths.set(dir, [dir]);
      }
    }
    const declared = new Map<string, string[]>();
    for (const dir of stackDirs) {
      try {
        const variables = await declaredVariables(root, dir);
        if (variables !== undefined) declared.set(dir, variables);
      } catch (error) {
        if (!(error instanceof HclError)) throw error;
      }
    }
    const dirs = [...new Set([...watchedPaths.values()].flat())];
    let findings: HclFinding[] = [];
    try {
      findings = await scanHcl(root, dirs);
    } catch (error) {
      if (!(error instanceof HclError)) throw error;
    }
    return { watchedPaths, findings, declaredVariables: declared };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
