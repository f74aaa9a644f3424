import { constants } from "node:fs";
import { access, readdir } from "node:fs/promises";
import path from "node:path";
import {
  compareEngineVersions,
  engineName,
  newestSatisfying,
  parseEngineConstraint,
  parseEngineVersion,
  type EngineConstraint,
} from "../domain/engine-constraint.js";
import type { EngineKind } from "../domain/engine-kind.js";
import type { Engine } from "./engine.js";

/**
 * A constraint a component asks for, and where it was written (said when it fails): `plan` is
 * apply asking for the exact version its plan ran on.
 */
export interface WantedVersion {
  constraint: string;
  from: "engine_version" | "required_version" | "plan";
}

/** The engine chosen for a component, and its version when it came from BOSUN_ENGINE_DIR. */
export interface PickedEngine {
  engine: Engine;
  version: string | undefined;
}

export interface EngineVersions {
  pick(kind: EngineKind, wanted: WantedVersion | undefined): Promise<PickedEngine>;
}

/** What a download of a version nothing installed satisfies came to. */
export type DownloadOutcome =
  | { kind: "installed"; version: string }
  /** The mirror lists no release for this machine that satisfies the constraint. */
  | { kind: "unavailable"; offered: string[]; index: string }
  /** BOSUN_ENGINE_MIRROR=off. */
  | { kind: "off" };

/** Installs a missing version into BOSUN_ENGINE_DIR (src/runner/download-engine.ts). */
export interface EngineDownloader {
  /** BOSUN_ENGINE_MIRROR as said in messages: `official`, `off` or the mirror's URL. */
  mirror: string;
  download(kind: EngineKind, constraint: EngineConstraint): Promise<DownloadOutcome>;
}

/** What the engine is called inside its release archive and BOSUN_ENGINE_DIR. */
export function executableName(kind: EngineKind): string {
  return kind === "opentofu" ? "tofu" : "terraform";
}

/** `dir/{opentofu|terraform}/{version}/{tofu|terraform}` (README "Engine versions"). */
export function installedExecutable(dir: string, kind: EngineKind, version: string): string {
  return path.join(dir, kind, version, executableName(kind));
}

/** The versions of `kind` installed under `dir`: directories named for a version, holding the executable. */
export async function installedVersions(dir: string, kind: EngineKind): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(path.join(dir, kind));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const versions: string[] = [];
  for (const entry of entries) {
    if (parseEngineVersion(entry)?.segments !== 3 || entry.startsWith("v")) continue;
    const executable = await access(installedExecutable(dir, kind, entry), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (executable) versions.push(entry);
  }
  return versions;
}

/**
 * Chooses each component's engine: the newest installed version that satisfies what it asks
 * for, else one `download` installs (BOSUN_ENGINE_MIRROR), else (for a configuration's own
 * `required_version` only) the operator's default engine, which enforces that constraint itself
 * with its own message. A stack's `engine_version` that nothing satisfies fails: it is an
 * explicit request.
 */
export function createEngineVersions(options: {
  dir: string;
  defaults: Record<EngineKind, Engine>;
  /** An engine for an executable, confined like the defaults. */
  make: (kind: EngineKind, bin: string) => Engine;
  /** Installs missing versions; without it only what is installed is chosen. */
  download?: EngineDownloader | undefined;
}): EngineVersions {
  const picked = (kind: EngineKind, version: string): PickedEngine => ({
    engine: options.make(kind, installedExecutable(options.dir, kind, version)),
    version,
  });
  return {
    async pick(kind, wanted) {
      if (!wanted) return { engine: options.defaults[kind], version: undefined };
      const parsed = parseEngineConstraint(wanted.constraint);
      if (!parsed.ok) {
        // bosun.yml's engine_version was checked when the run was made; a required_version
        // Bosun cannot read is left to the engine, which reads it with its own rules.
        if (wanted.from === "required_version") {
          return { engine: options.defaults[kind], version: undefined };
        }
        throw new Error(`${wanted.from} ${wanted.constraint}: ${parsed.problem}`);
      }
      const installed = await installedVersions(options.dir, kind);
      const newest = newestSatisfying(installed, parsed.constraint);
      if (newest !== undefined) return picked(kind, newest);
      const downloaded = options.download
        ? await tryDownload(options.download, kind, parsed.constraint)
        : undefined;
      if (downloaded?.version !== undefined) return picked(kind, downloaded.version);
      if (wanted.from === "required_version") {
        return { engine: options.defaults[kind], version: undefined };
      }
      const have = installed.length > 0 ? byVersion(installed).join(", ") : "none";
      const why = downloaded?.why === undefined ? "" : `; ${downloaded.why}`;
      throw new Error(
        `${wanted.from} "${wanted.constraint}": no installed ${engineName(kind)} version satisfies it (installed under BOSUN_ENGINE_DIR: ${have})${why}`,
      );
    },
  };
}

/** The version a download installed, or why there is none (said after the installed ones). */
async function tryDownload(
  download: EngineDownloader,
  kind: EngineKind,
  constraint: EngineConstraint,
): Promise<{ version: string; why?: never } | { version?: never; why: string }> {
  let outcome: DownloadOutcome;
  try {
    outcome = await download.download(kind, constraint);
  } catch (error) {
    return {
      why: `downloading from BOSUN_ENGINE_MIRROR (${download.mirror}) failed: ${(error as Error).message}`,
    };
  }
  switch (outcome.kind) {
    case "installed":
      return { version: outcome.version };
    case "off":
      return { why: "nothing is downloaded (BOSUN_ENGINE_MIRROR=off)" };
    case "unavailable": {
      const newest = byVersion(outcome.offered).reverse().slice(0, 10);
      const offered = newest.length > 0 ? `newest offered: ${newest.join(", ")}` : "it offers none";
      return {
        why: `BOSUN_ENGINE_MIRROR (${download.mirror}) offers no ${engineName(kind)} release for this machine that satisfies it either (${outcome.index}; ${offered})`,
      };
    }
  }
}

function byVersion(versions: string[]): string[] {
  return versions
    .map((text) => ({ text, version: parseEngineVersion(text)! }))
    .sort((a, b) => compareEngineVersions(a.version, b.version))
    .map((entry) => entry.text);
}
