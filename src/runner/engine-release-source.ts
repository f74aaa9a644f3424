import { z } from "zod";
import type { EngineKind } from "../domain/engine-kind.js";
import { parseEngineVersion } from "../domain/engine-constraint.js";
import { releaseFiles, type EngineMirror, type ReleasePlatform } from "../domain/engine-release.js";

/** Where one engine's releases are listed and served. */
export interface ReleaseSource {
  /** The version listing, in its vendor's format. */
  indexUrl: string;
  fileUrl(version: string, file: string): string;
  /** The versions the listing offers with an archive for `platform`. */
  versionsIn(index: unknown, platform: ReleasePlatform): string[];
}

/**
 * HashiCorp's releases index (releases.hashicorp.com/terraform/index.json): only the fields read.
 */
const HashicorpIndex = z.object({
  versions: z.record(
    z.string(),
    z.object({
      builds: z.array(z.object({ os: z.string(), arch: z.string() })).default([]),
    }),
  ),
});

/** OpenTofu's releases listing (get.opentofu.org/tofu/api.json), generated from GitHub releases. */
const OpentofuIndex = z.object({
  versions: z.array(z.object({ id: z.string(), files: z.array(z.string()) })),
});

function hashicorpVersions(index: unknown, platform: ReleasePlatform): string[] {
  const parsed = HashicorpIndex.parse(index);
  return Object.entries(parsed.versions)
    .filter(([, release]) =>
      release.builds.some((build) => build.os === platform.os && build.arch === platform.arch),
    )
    .map(([version]) => version)
    .filter(isReleaseVersion);
}

function opentofuVersions(index: unknown, platform: ReleasePlatform): string[] {
  return OpentofuIndex.parse(index)
    .versions.filter(
      (release) =>
        isReleaseVersion(release.id) &&
        release.files.includes(releaseFiles("opentofu", release.id, platform).archive),
    )
    .map((release) => release.id);
}

/**
 * A full version such as 1.11.5 or 1.12.0-beta1: it becomes a directory name under
 * BOSUN_ENGINE_DIR, so nothing else a listing says is taken.
 */
function isReleaseVersion(text: string): boolean {
  return !text.startsWith("v") && parseEngineVersion(text)?.segments === 3;
}

const OFFICIAL: Record<EngineKind, ReleaseSource> = {
  terraform: {
    indexUrl: "https://releases.hashicorp.com/terraform/index.json",
    fileUrl: (version, file) => `https://releases.hashicorp.com/terraform/${version}/${file}`,
    versionsIn: hashicorpVersions,
  },
  opentofu: {
    indexUrl: "https://get.opentofu.org/tofu/api.json",
    fileUrl: (version, file) =>
      `https://github.com/opentofu/opentofu/releases/download/v${version}/${file}`,
    versionsIn: opentofuVersions,
  },
};

/** The index file each engine's directory of a mirror holds: its vendor's own name and format. */
const MIRROR_INDEX: Record<EngineKind, string> = {
  terraform: "index.json",
  opentofu: "api.json",
};

/**
 * The official sites, or a mirror at `url`: `url/{terraform|opentofu}/{version}/{file}` and each
 * engine's listing at `url/terraform/index.json` and `url/opentofu/api.json` (README
 * "Downloading engine versions"). Undefined when downloads are off.
 */
export function releaseSource(mirror: EngineMirror, kind: EngineKind): ReleaseSource | undefined {
  switch (mirror.kind) {
    case "off":
      return undefined;
    case "official":
      return OFFICIAL[kind];
    case "mirror":
      return {
        indexUrl: `${mirror.url}/${kind}/${MIRROR_INDEX[kind]}`,
        fileUrl: (version, file) => `${mirror.url}/${kind}/${version}/${file}`,
        versionsIn: OFFICIAL[kind].versionsIn,
      };
  }
}
