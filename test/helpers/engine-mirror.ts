import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createMessage, generateKey, readPrivateKey, sign, type PrivateKey } from "openpgp";
import yazl from "yazl";
import type { EngineKind } from "../../src/domain/engine-kind.js";
import { releaseFiles, type ReleasePlatform } from "../../src/domain/engine-release.js";

const ENGINE_SCRIPT = path.resolve("test/stand-in/engine.mjs");

/** The platform the tests' releases are built for and the downloader is told it runs on. */
export const MIRROR_PLATFORM: ReleasePlatform = { os: "linux", arch: "amd64" };

/**
 * A mirror of the engines' releases over real HTTP, in the layout BOSUN_ENGINE_MIRROR expects
 * (README "Downloading engine versions"), counting every request it is asked.
 */
export interface EngineMirror {
  url: string;
  /** Request paths, in order. */
  requests: string[];
  /** Serves `body` at `file` (a path below the mirror's root, such as `opentofu/api.json`). */
  put(file: string, body: Buffer | string): void;
  /** Holds every archive response until the returned function is called. */
  holdArchives(): () => void;
  close(): Promise<void>;
}

export async function startEngineMirror(): Promise<EngineMirror> {
  const files = new Map<string, Buffer>();
  const requests: string[] = [];
  let gate: Promise<void> | undefined;
  const server: Server = createServer((request, response) => {
    const file = (request.url ?? "/").slice(1);
    requests.push(file);
    const body = files.get(file);
    void (file.endsWith(".zip") && gate ? gate : Promise.resolve()).then(() => {
      if (body === undefined) response.writeHead(404).end();
      else response.writeHead(200, { "content-length": body.length }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    put: (file, body) => files.set(file, Buffer.from(body)),
    holdArchives() {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An OpenPGP signing key made for the test, and its public half armored (a keyring file's text). */
export async function testSigningKey(
  name: string,
): Promise<{ privateKey: PrivateKey; armoredPublicKey: string }> {
  const { privateKey, publicKey } = await generateKey({
    userIDs: [{ name, email: "releases@example.test" }],
    format: "armored",
  });
  return {
    privateKey: await readPrivateKey({ armoredKey: privateKey }),
    armoredPublicKey: publicKey,
  };
}

/** A detached binary signature, as HashiCorp and OpenTofu publish theirs. */
export async function detachedSignature(data: Buffer, key: PrivateKey): Promise<Buffer> {
  const signature = await sign({
    message: await createMessage({ binary: new Uint8Array(data) }),
    signingKeys: key,
    detached: true,
    format: "binary",
  });
  return Buffer.from(signature);
}

/** A zip archive of `entries` (name → content), each a Unix file of `mode`. */
export function zipArchive(entries: Record<string, string>, mode = 0o755): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) {
    zip.addBuffer(Buffer.from(content), name, { mode: 0o100000 | mode });
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

/** The stand-in engine as a release archive of `version` holds it, beside a licence. */
export function standInArchive(kind: EngineKind, version: string): Promise<Buffer> {
  const name = kind === "opentofu" ? "tofu" : "terraform";
  return zipArchive({
    [name]: `#!/bin/sh\nSTANDIN_VERSION=${version} STANDIN_FLAVOUR=${kind} exec node "${ENGINE_SCRIPT}" "$@"\n`,
    "LICENSE.txt": "test licence\n",
  });
}

export const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * Publishes one release on the mirror: its archive for MIRROR_PLATFORM, SHA256SUMS and the
 * detached signature. `sums` and `signature` replace what a faithful release would carry.
 */
export async function publishRelease(
  mirror: EngineMirror,
  options: {
    kind: EngineKind;
    version: string;
    key: PrivateKey;
    archive?: Buffer;
    sums?: (honest: string) => string;
    signature?: (sums: Buffer) => Promise<Buffer>;
  },
): Promise<void> {
  const { kind, version } = options;
  const files = releaseFiles(kind, version, MIRROR_PLATFORM);
  const archive = options.archive ?? (await standInArchive(kind, version));
  const honest = `${sha256(archive)}  ${files.archive}\n${"0".repeat(64)}  ${kind}_${version}_darwin_arm64.zip\n`;
  const sums = Buffer.from(options.sums ? options.sums(honest) : honest);
  const signature = await (options.signature ?? ((data) => detachedSignature(data, options.key)))(
    sums,
  );
  mirror.put(`${kind}/${version}/${files.archive}`, archive);
  mirror.put(`${kind}/${version}/${files.sums}`, sums);
  mirror.put(`${kind}/${version}/${files.signature}`, signature);
}

/**
 * The mirror's listing of `versions`, in the vendor's format: HashiCorp's index.json (builds per
 * platform) or OpenTofu's api.json (file names per version). `elsewhere` are listed for another
 * platform only.
 */
export function publishIndex(
  mirror: EngineMirror,
  kind: EngineKind,
  versions: string[],
  elsewhere: string[] = [],
): void {
  const other: ReleasePlatform = { os: "darwin", arch: "arm64" };
  const platformsOf = (version: string) =>
    elsewhere.includes(version) ? [other] : [MIRROR_PLATFORM, other];
  const all = [...versions, ...elsewhere];
  if (kind === "terraform") {
    const index = {
      name: "terraform",
      versions: Object.fromEntries(
        all.map((version) => [
          version,
          {
            name: "terraform",
            version,
            shasums: releaseFiles(kind, version, MIRROR_PLATFORM).sums,
            builds: platformsOf(version).map((platform) => ({
              ...platform,
              name: "terraform",
              version,
              filename: releaseFiles(kind, version, platform).archive,
            })),
          },
        ]),
      ),
    };
    mirror.put("terraform/index.json", JSON.stringify(index));
    return;
  }
  const index = {
    versions: all.map((version) => ({
      id: version,
      files: [
        ...platformsOf(version).map((platform) => releaseFiles(kind, version, platform).archive),
        releaseFiles(kind, version, MIRROR_PLATFORM).sums,
        releaseFiles(kind, version, MIRROR_PLATFORM).signature,
      ],
    })),
  };
  mirror.put("opentofu/api.json", JSON.stringify(index));
}
