import type { EngineKind } from "./engine-kind.js";

/**
 * The file names of an engine's official release, which a mirror keeps too (README "Downloading
 * engine versions"): `terraform_1.14.6_linux_amd64.zip`, `terraform_1.14.6_SHA256SUMS` and its
 * detached signature (HashiCorp: `.sig`; OpenTofu: `.gpgsig`, as its installer fetches it).
 */
export interface ReleaseFiles {
  archive: string;
  sums: string;
  signature: string;
}

/** The release's platform names: Go's GOOS and GOARCH. */
export interface ReleasePlatform {
  os: string;
  arch: string;
}

const PREFIX: Record<EngineKind, string> = { opentofu: "tofu", terraform: "terraform" };
const SIGNATURE_SUFFIX: Record<EngineKind, string> = { opentofu: "gpgsig", terraform: "sig" };

export function releaseFiles(
  kind: EngineKind,
  version: string,
  platform: ReleasePlatform,
): ReleaseFiles {
  const prefix = `${PREFIX[kind]}_${version}`;
  return {
    archive: `${prefix}_${platform.os}_${platform.arch}.zip`,
    sums: `${prefix}_SHA256SUMS`,
    signature: `${prefix}_SHA256SUMS.${SIGNATURE_SUFFIX[kind]}`,
  };
}

const OS: Partial<Record<NodeJS.Platform, string>> = {
  linux: "linux",
  darwin: "darwin",
  freebsd: "freebsd",
  openbsd: "openbsd",
};
const ARCH: Partial<Record<NodeJS.Architecture, string>> = {
  x64: "amd64",
  arm64: "arm64",
  ia32: "386",
  arm: "arm",
};

/** Node's platform and architecture as the releases name them, or undefined where none is built. */
export function releasePlatform(
  platform: NodeJS.Platform,
  arch: NodeJS.Architecture,
): ReleasePlatform | undefined {
  const os = OS[platform];
  const goArch = ARCH[arch];
  return os && goArch ? { os, arch: goArch } : undefined;
}

/**
 * The SHA-256 a SHA256SUMS file gives `file` (lines of `<hex>  <name>`, as sha256sum writes them),
 * or undefined when it lists no such file.
 */
export function checksumOf(sums: string, file: string): string | undefined {
  for (const line of sums.split("\n")) {
    const match = /^([0-9a-fA-F]{64}) [ *]?(.+?)\s*$/.exec(line);
    if (match?.[2] === file) return match[1]!.toLowerCase();
  }
  return undefined;
}

/**
 * BOSUN_ENGINE_MIRROR: the official release sites, none (`off`), or an operator's base URL
 * serving `terraform/` and `opentofu/` in the releases' layout.
 */
export type EngineMirror = { kind: "official" } | { kind: "off" } | { kind: "mirror"; url: string };
