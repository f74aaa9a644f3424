import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createMessage, sign } from "openpgp";
import pino from "pino";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EngineKind } from "../../../src/domain/engine-kind.js";
import type { EngineMirror as MirrorSetting } from "../../../src/domain/engine-release.js";
import { createEngineDownloader } from "../../../src/runner/download-engine.js";
import { createEngine } from "../../../src/runner/engine.js";
import {
  createEngineVersions,
  installedExecutable,
  type EngineVersions,
} from "../../../src/runner/engine-versions.js";
import {
  detachedSignature,
  MIRROR_PLATFORM,
  publishIndex,
  publishRelease,
  sha256,
  standInArchive,
  startEngineMirror,
  testSigningKey,
  zipArchive,
  type EngineMirror,
} from "../../helpers/engine-mirror.js";
import { STAND_IN_TERRAFORM, STAND_IN_TOFU } from "../../helpers/stand-in.js";

const run = promisify(execFile);

describe("downloading an engine version nothing installed satisfies", () => {
  let key: Awaited<ReturnType<typeof testSigningKey>>;
  let stranger: Awaited<ReturnType<typeof testSigningKey>>;
  let mirror: EngineMirror;
  let dir: string;

  beforeAll(async () => {
    key = await testSigningKey("Test mirror");
    stranger = await testSigningKey("Someone else");
  });
  beforeEach(async () => {
    mirror = await startEngineMirror();
    dir = await mkdtemp(path.join(os.tmpdir(), "bosun-engines-"));
  });
  afterEach(async () => {
    await mirror.close();
  });

  const versions = async (setting?: MirrorSetting): Promise<EngineVersions> => {
    const engines = {
      opentofu: createEngine("opentofu", STAND_IN_TOFU),
      terraform: createEngine("terraform", STAND_IN_TERRAFORM),
    };
    return createEngineVersions({
      dir,
      defaults: engines,
      make: (kind, bin) => createEngine(kind, bin),
      download: await createEngineDownloader({
        dir,
        mirror: setting ?? { kind: "mirror", url: mirror.url },
        signingKeys: key.armoredPublicKey,
        log: pino({ level: "silent" }),
        platform: MIRROR_PLATFORM,
      }),
    });
  };
  const archiveRequests = () => mirror.requests.filter((file) => file.endsWith(".zip"));
  const installedUnder = async (kind: EngineKind) =>
    readdir(path.join(dir, kind)).catch(() => [] as string[]);
  /** Nothing half-made is left where downloads are staged (the locks are gone too). */
  const staging = () => readdir(path.join(dir, ".downloads")).catch(() => [] as string[]);

  const publish = async (kind: EngineKind, listed: string[], elsewhere: string[] = []) => {
    publishIndex(mirror, kind, listed, elsewhere);
    for (const version of [...listed, ...elsewhere]) {
      await publishRelease(mirror, { kind, version, key: key.privateKey });
    }
  };

  it("installs the newest OpenTofu release the mirror lists for this machine that satisfies the constraint", async () => {
    await publish("opentofu", ["1.10.2", "1.11.0", "1.11.4", "1.12.0"], ["1.11.9"]);
    const picked = await (
      await versions()
    ).pick("opentofu", {
      constraint: "~> 1.11.0",
      from: "engine_version",
    });

    expect(picked.version).toBe("1.11.4");
    const executable = installedExecutable(dir, "opentofu", "1.11.4");
    expect((await stat(executable)).mode & 0o111).not.toBe(0);
    const { stdout } = await run(executable, ["-version"]);
    expect(stdout).toContain("1.11.4");
    expect(await readdir(path.join(dir, "opentofu", "1.11.4"))).toEqual(["tofu"]);
    expect(archiveRequests()).toEqual(["opentofu/1.11.4/tofu_1.11.4_linux_amd64.zip"]);
    expect(await staging()).toEqual([]);
  });

  it("installs a Terraform release from HashiCorp's index and .sig layout", async () => {
    await publish("terraform", ["1.9.8", "1.14.6"]);
    const picked = await (
      await versions()
    ).pick("terraform", {
      constraint: ">= 1.9, < 1.14",
      from: "engine_version",
    });
    expect(picked.version).toBe("1.9.8");
    expect(mirror.requests).toEqual([
      "terraform/index.json",
      "terraform/1.9.8/terraform_1.9.8_SHA256SUMS",
      "terraform/1.9.8/terraform_1.9.8_SHA256SUMS.sig",
      "terraform/1.9.8/terraform_1.9.8_linux_amd64.zip",
    ]);
    const { stdout } = await run(installedExecutable(dir, "terraform", "1.9.8"), ["-version"]);
    expect(stdout).toContain("1.9.8");
  });

  it("asks the mirror nothing once the version is installed", async () => {
    await publish("opentofu", ["1.11.4"]);
    const engineVersions = await versions();
    const wanted = { constraint: "~> 1.11", from: "engine_version" } as const;
    await engineVersions.pick("opentofu", wanted);
    const asked = mirror.requests.length;

    expect((await engineVersions.pick("opentofu", wanted)).version).toBe("1.11.4");
    expect((await (await versions()).pick("opentofu", wanted)).version).toBe("1.11.4");
    expect(mirror.requests.length).toBe(asked);
    expect(archiveRequests()).toHaveLength(1);
  });

  it("refuses an archive whose SHA-256 is not its SHA256SUMS line, and installs nothing", async () => {
    publishIndex(mirror, "opentofu", ["1.11.4"]);
    const genuine = await standInArchive("opentofu", "1.11.4");
    await publishRelease(mirror, {
      kind: "opentofu",
      version: "1.11.4",
      key: key.privateKey,
      archive: await zipArchive({ tofu: "#!/bin/sh\necho tampered\n" }),
      // Signed, but for the genuine archive: the mirror swapped the archive afterwards.
      sums: () => `${sha256(genuine)}  tofu_1.11.4_linux_amd64.zip\n`,
    });

    const picking = (await versions()).pick("opentofu", {
      constraint: "1.11.4",
      from: "engine_version",
    });
    await expect(picking).rejects.toThrow(
      `tofu_1.11.4_linux_amd64.zip: SHA-256 mismatch: tofu_1.11.4_SHA256SUMS expects ${sha256(genuine)}, the download is `,
    );
    await expect(picking).rejects.toThrow(
      'engine_version "1.11.4": no installed OpenTofu version satisfies it (installed under BOSUN_ENGINE_DIR: none); downloading from BOSUN_ENGINE_MIRROR',
    );
    expect(await installedUnder("opentofu")).toEqual([]);
    expect(await staging()).toEqual([]);
  });

  it("refuses SHA256SUMS signed by a key it does not trust, before fetching the archive", async () => {
    publishIndex(mirror, "opentofu", ["1.11.4"]);
    await publishRelease(mirror, {
      kind: "opentofu",
      version: "1.11.4",
      key: stranger.privateKey,
    });

    await expect(
      (await versions()).pick("opentofu", { constraint: "1.11.4", from: "engine_version" }),
    ).rejects.toThrow("tofu_1.11.4_SHA256SUMS.gpgsig does not verify tofu_1.11.4_SHA256SUMS");
    expect(archiveRequests()).toEqual([]);
    expect(await installedUnder("opentofu")).toEqual([]);
  });

  it("refuses SHA256SUMS changed after it was signed", async () => {
    publishIndex(mirror, "opentofu", ["1.11.4"]);
    const archive = await zipArchive({ tofu: "#!/bin/sh\necho swapped\n" });
    await publishRelease(mirror, {
      kind: "opentofu",
      version: "1.11.4",
      key: key.privateKey,
      archive,
      // The signature is over the honest file; the mirror serves one naming its own archive.
      sums: () => `${sha256(archive)}  tofu_1.11.4_linux_amd64.zip\n`,
      signature: () =>
        detachedSignature(
          Buffer.from(`${"1".repeat(64)}  tofu_1.11.4_linux_amd64.zip\n`),
          key.privateKey,
        ),
    });

    await expect(
      (await versions()).pick("opentofu", { constraint: "1.11.4", from: "engine_version" }),
    ).rejects.toThrow("tofu_1.11.4_SHA256SUMS.gpgsig does not verify tofu_1.11.4_SHA256SUMS");
    expect(archiveRequests()).toEqual([]);
    expect(await installedUnder("opentofu")).toEqual([]);
  });

  it("refuses an archive with an entry outside its root", async () => {
    publishIndex(mirror, "opentofu", ["1.11.4"]);
    // yazl will not write a `..` name either: an entry named `xx/tofu` is renamed in the bytes.
    const built = await zipArchive({ tofu: "#!/bin/sh\n", "xx/tofu": "#!/bin/sh\necho out\n" });
    const hostile = Buffer.from(
      built.toString("latin1").replaceAll("xx/tofu", "../tofu"),
      "latin1",
    );
    await publishRelease(mirror, {
      kind: "opentofu",
      version: "1.11.4",
      key: key.privateKey,
      archive: hostile,
    });

    await expect(
      (await versions()).pick("opentofu", { constraint: "1.11.4", from: "engine_version" }),
    ).rejects.toThrow("refusing tofu_1.11.4_linux_amd64.zip: invalid relative path: ../tofu");
    expect(await installedUnder("opentofu")).toEqual([]);
    expect(await readdir(dir)).toEqual([".downloads"]);
    expect(await staging()).toEqual([]);
  });

  it("clears what a download that died left behind, and only that version's", async () => {
    await publish("opentofu", ["1.11.4"]);
    const left = path.join(dir, ".downloads", "opentofu-1.11.4+dead00");
    const other = path.join(dir, ".downloads", "opentofu-1.11.4-beta1+live00");
    await mkdir(left, { recursive: true });
    await mkdir(other, { recursive: true });
    await writeFile(path.join(left, "tofu_1.11.4_linux_amd64.zip"), "half");

    const picked = await (
      await versions()
    ).pick("opentofu", {
      constraint: "1.11.4",
      from: "engine_version",
    });
    expect(picked.version).toBe("1.11.4");
    expect(await staging()).toEqual(["opentofu-1.11.4-beta1+live00"]);
  });

  it("takes an armored signature as well as a binary one", async () => {
    publishIndex(mirror, "opentofu", ["1.11.4"]);
    await publishRelease(mirror, {
      kind: "opentofu",
      version: "1.11.4",
      key: key.privateKey,
      signature: async (sums) =>
        Buffer.from(
          await sign({
            message: await createMessage({ binary: new Uint8Array(sums) }),
            signingKeys: key.privateKey,
            detached: true,
            format: "armored",
          }),
        ),
    });
    const picked = await (
      await versions()
    ).pick("opentofu", {
      constraint: "1.11.4",
      from: "engine_version",
    });
    expect(picked.version).toBe("1.11.4");
  });

  it("leaves a required_version the mirror cannot satisfy to the operator's engine", async () => {
    await publish("opentofu", ["1.11.4"]);
    const picked = await (
      await versions()
    ).pick("opentofu", {
      constraint: ">= 1.13",
      from: "required_version",
    });
    expect(picked.version).toBeUndefined();
    expect(mirror.requests).toEqual(["opentofu/api.json"]);
  });

  it("says what the mirror offers when none of it satisfies the constraint", async () => {
    await publish("opentofu", ["1.10.2", "1.11.4"]);
    await expect(
      (await versions()).pick("opentofu", { constraint: ">= 1.13", from: "engine_version" }),
    ).rejects.toThrow(
      `engine_version ">= 1.13": no installed OpenTofu version satisfies it (installed under BOSUN_ENGINE_DIR: none); BOSUN_ENGINE_MIRROR (${mirror.url}) offers no OpenTofu release for this machine that satisfies it either (${mirror.url}/opentofu/api.json; newest offered: 1.11.4, 1.10.2)`,
    );
    expect(archiveRequests()).toEqual([]);
  });

  it("never asks the mirror when downloads are off", async () => {
    await publish("opentofu", ["1.11.4"]);
    await expect(
      (await versions({ kind: "off" })).pick("opentofu", {
        constraint: "1.11.4",
        from: "engine_version",
      }),
    ).rejects.toThrow(
      'engine_version "1.11.4": no installed OpenTofu version satisfies it (installed under BOSUN_ENGINE_DIR: none); nothing is downloaded (BOSUN_ENGINE_MIRROR=off)',
    );
    expect(mirror.requests).toEqual([]);
  });

  it("downloads once for resolutions at the same time, in this process and another", async () => {
    await publish("opentofu", ["1.11.4"]);
    const release = mirror.holdArchives();
    const wanted = { constraint: "~> 1.11", from: "engine_version" } as const;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.resolve("test/helpers/download-engine-child.ts")],
      {
        env: {
          ...process.env,
          BOSUN_TEST_DOWNLOAD: JSON.stringify({
            dir,
            mirror: mirror.url,
            signingKeys: key.armoredPublicKey,
            constraint: "~> 1.11",
          }),
        },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let printed = "";
    child.stdout.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const shared = await versions();
    const separate = await versions();
    const picks = [
      shared.pick("opentofu", wanted),
      shared.pick("opentofu", wanted),
      shared.pick("opentofu", wanted),
      separate.pick("opentofu", wanted),
    ];
    // Every resolver has read the listing (the child too) before the one archive is served.
    await expect
      .poll(() => mirror.requests.filter((file) => file.endsWith("api.json")).length, {
        timeout: 20_000,
      })
      .toBe(5);
    await new Promise((resolve) => setTimeout(resolve, 500));
    release();

    expect((await Promise.all(picks)).map((picked) => picked.version)).toEqual([
      "1.11.4",
      "1.11.4",
      "1.11.4",
      "1.11.4",
    ]);
    expect(await exited).toBe(0);
    expect(JSON.parse(printed)).toEqual({ kind: "installed", version: "1.11.4" });
    expect(archiveRequests()).toHaveLength(1);
    expect(await staging()).toEqual([]);
  }, 30_000);
});
