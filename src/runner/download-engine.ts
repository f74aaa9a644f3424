import { constants } from "node:fs";
import { access, chmod, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { PublicKey } from "openpgp";
import type { Logger } from "pino";
import {
  engineName,
  newestSatisfying,
  type EngineConstraint,
} from "../domain/engine-constraint.js";
import type { EngineKind } from "../domain/engine-kind.js";
import {
  releaseFiles,
  releasePlatform,
  type EngineMirror,
  type ReleasePlatform,
} from "../domain/engine-release.js";
import { withInstallLock } from "./engine-install-lock.js";
import { releaseSource, type ReleaseSource } from "./engine-release-source.js";
import { engineSigningKeys } from "./engine-signing-keys.js";
import {
  executableName,
  installedExecutable,
  type EngineDownloader,
  type DownloadOutcome,
} from "./engine-versions.js";
import { extractEngineExecutable } from "./extract-engine-executable.js";
import { fetchReleaseBytes, fetchReleaseToFile, type FetchBounds } from "./fetch-release-file.js";
import { verifyArchiveChecksum, verifySumsSignature } from "./verify-release.js";

const INDEX: FetchBounds = { timeoutMs: 60_000, maxBytes: 64 * 1024 * 1024 };
const SUMS: FetchBounds = { timeoutMs: 60_000, maxBytes: 1024 * 1024 };
const SIGNATURE: FetchBounds = { timeoutMs: 60_000, maxBytes: 64 * 1024 };
/** Today's archives are about 30 MB. */
const ARCHIVE: FetchBounds = { timeoutMs: 600_000, maxBytes: 512 * 1024 * 1024 };

/** Where downloads are staged and locked: beside the versions, so a rename moves one into place. */
const STAGING = ".downloads";

const isExecutable = (file: string) =>
  access(file, constants.X_OK).then(
    () => true,
    () => false,
  );

/**
 * Downloads engine versions nothing installed satisfies from BOSUN_ENGINE_MIRROR into
 * BOSUN_ENGINE_DIR: the newest release the mirror lists for this machine, its SHA256SUMS
 * signature checked against the trusted keys and the archive against SHA256SUMS, the executable
 * alone unpacked, and moved into place by one rename. One download per version: callers in this
 * process share it, other processes wait on a lock file and then find it installed.
 */
export async function createEngineDownloader(options: {
  dir: string;
  mirror: EngineMirror;
  /** BOSUN_ENGINE_SIGNING_KEYS' armored keyring; undefined trusts the vendors' keys. */
  signingKeys: string | undefined;
  log: Logger;
  /** This machine's platform; the releases name it as Go does. */
  platform?: ReleasePlatform | undefined;
  /** A proxied fetch behind HTTPS_PROXY; undefined: the global one. */
  fetch?: typeof fetch | undefined;
}): Promise<EngineDownloader> {
  const { dir, mirror, log } = options;
  const via = (bounds: FetchBounds): FetchBounds => ({ ...bounds, fetch: options.fetch });
  const keys = mirror.kind === "off" ? undefined : await engineSigningKeys(options.signingKeys);
  const platform = options.platform ?? releasePlatform(process.platform, process.arch);
  const inFlight = new Map<string, Promise<void>>();

  const install = async (release: {
    kind: EngineKind;
    version: string;
    source: ReleaseSource;
    keys: PublicKey[];
    platform: ReleasePlatform;
  }) => {
    const { kind, version } = release;
    const staging = path.join(dir, STAGING);
    const installed = installedExecutable(dir, kind, version);
    await mkdir(staging, { recursive: true });
    await withInstallLock({
      lockPath: path.join(staging, `${kind}-${version}`),
      waitMs: ARCHIVE.timeoutMs + 2 * SUMS.timeoutMs,
      log,
      work: async () => {
        if (await isExecutable(installed)) return;
        // What a holder of this lock left before it died: nobody else stages this version now.
        // `+` appears in no version, so 1.11.4's prefix is not 1.11.4-beta1's.
        const prefix = `${kind}-${version}+`;
        for (const entry of await readdir(staging)) {
          if (entry.startsWith(prefix))
            await rm(path.join(staging, entry), { recursive: true, force: true });
        }
        const temp = await mkdtemp(path.join(staging, prefix));
        try {
          await fetchAndStage({ ...release, temp, log, via });
          await mkdir(path.join(dir, kind), { recursive: true });
          await rename(path.join(temp, version), path.dirname(installed)).catch(
            async (error: unknown) => {
              // A process that lost the lock (it went stale) may have installed it meanwhile.
              if (await isExecutable(installed)) return;
              throw new Error(
                `moving ${engineName(kind)} ${version} into ${path.dirname(installed)}: ${(error as Error).message} (remove what is there to let Bosun install it)`,
                { cause: error },
              );
            },
          );
        } finally {
          await rm(temp, { recursive: true, force: true });
        }
      },
    });
  };

  return {
    mirror: mirror.kind === "mirror" ? mirror.url : mirror.kind,
    async download(kind, constraint): Promise<DownloadOutcome> {
      try {
        return await download(kind, constraint);
      } catch (error) {
        // Said here too: a required_version falls back to the default engine without the reason.
        log.warn({ err: error, engine: kind }, "engine download failed");
        throw error;
      }
    },
  };

  async function download(
    kind: EngineKind,
    constraint: EngineConstraint,
  ): Promise<DownloadOutcome> {
    const source = releaseSource(mirror, kind);
    if (!source || !keys) return { kind: "off" };
    if (!platform) {
      throw new Error(
        `${engineName(kind)} publishes no release for ${process.platform}/${process.arch}`,
      );
    }
    const listing = await fetchReleaseBytes(source.indexUrl, via(INDEX));
    let offered: string[];
    try {
      offered = source.versionsIn(JSON.parse(listing.toString("utf8")), platform);
    } catch (error) {
      throw new Error(`reading ${source.indexUrl}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const version = newestSatisfying(offered, constraint);
    if (version === undefined) return { kind: "unavailable", offered, index: source.indexUrl };
    const key = `${kind}/${version}`;
    let running = inFlight.get(key);
    if (!running) {
      running = install({ kind, version, source, keys: keys[kind], platform }).finally(() =>
        inFlight.delete(key),
      );
      inFlight.set(key, running);
    }
    await running;
    return { kind: "installed", version };
  }
}

/**
 * Fetches and verifies one release into `temp/{version}/{executable}`: the signature first, so
 * an archive is fetched only when there is a trusted checksum to hold it to.
 */
async function fetchAndStage(options: {
  kind: EngineKind;
  version: string;
  source: ReleaseSource;
  temp: string;
  keys: PublicKey[];
  platform: ReleasePlatform;
  log: Logger;
  via: (bounds: FetchBounds) => FetchBounds;
}): Promise<void> {
  const { kind, version, source, temp } = options;
  const files = releaseFiles(kind, version, options.platform);
  options.log.info(
    { engine: kind, version, from: source.fileUrl(version, "") },
    "downloading engine",
  );
  const [sums, signature] = await Promise.all([
    fetchReleaseBytes(source.fileUrl(version, files.sums), options.via(SUMS)),
    fetchReleaseBytes(source.fileUrl(version, files.signature), options.via(SIGNATURE)),
  ]);
  const signedBy = await verifySumsSignature({
    sums,
    sumsName: files.sums,
    signature,
    signatureName: files.signature,
    keys: options.keys,
  });
  const archiveUrl = source.fileUrl(version, files.archive);
  const archive = path.join(temp, files.archive);
  const sha256 = await fetchReleaseToFile(archiveUrl, archive, options.via(ARCHIVE));
  verifyArchiveChecksum({
    sums: sums.toString("utf8"),
    sumsName: files.sums,
    archiveName: files.archive,
    actual: sha256,
  });
  const name = executableName(kind);
  await mkdir(path.join(temp, version));
  const target = path.join(temp, version, name);
  await extractEngineExecutable({ archive, archiveName: files.archive, name, target });
  await chmod(target, 0o755);
  options.log.info(
    { engine: kind, version, archive: archiveUrl, sha256, signedBy },
    "downloaded and verified engine",
  );
}
