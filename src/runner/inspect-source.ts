import { mkdtemp, readFile, realpath, rm } from "node:fs/promises";
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
  /** The text of the requested configuration file; missing when the commit has none. */
  configText?: string;
}

/** What to read: the configuration file, and the stack directories it declares. */
export interface InspectionRequest {
  /** Repo-relative path of the configuration file, read from the archive itself. */
  configFile: string;
  /** The stack directories to inspect, given the configuration file's text. */
  stackDirs: (configText: string | undefined) => readonly string[];
}

/**
 * Reads a commit's source without running anything: which directories each stack is made of, the
 * variables each declares, and what in them runs code during plan. A stack whose directory is
 * missing or unparsable watches its own directory only; its plan then fails with the engine's own
 * message.
 */
export async function inspectSource(
  archive: Buffer,
  request: InspectionRequest,
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
    const configText = await readInside(root, request.configFile);
    const stackDirs = request.stackDirs(configText);
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
    return {
      watchedPaths,
      findings,
      declaredVariables: declared,
      ...(configText === undefined ? {} : { configText }),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * A file's text, when it is a file inside `root`: the archive's links stay inside it, but one that
 * names a directory or nothing is no file.
 */
async function readInside(root: string, relPath: string): Promise<string | undefined> {
  try {
    const resolved = await realpath(path.join(root, relPath));
    if (!resolved.startsWith(`${await realpath(root)}${path.sep}`)) return undefined;
    return await readFile(resolved, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") return undefined;
    throw error;
  }
}
