import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config/load-config.js";
import { testApp } from "../../helpers/app-credentials.js";

describe("loadConfig", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "bosun-config-"));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it("uses the embedded database and generates a development key it keeps", async () => {
    const first = await loadConfig({ BOSUN_DATA_DIR: dataDir });
    expect(first.database).toEqual({ kind: "pglite", dataDir: path.join(dataDir, "pgdata") });
    expect(first.encryptionKey.symmetricKeySize).toBe(32);
    expect(first.encryptionKeyNotice).toContain("generated a development key");
    expect((await stat(path.join(dataDir, "encryption-key"))).mode & 0o777).toBe(0o600);

    const second = await loadConfig({ BOSUN_DATA_DIR: dataDir });
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
    expect(second.encryptionKeyNotice).toBeUndefined();
    expect(second.github).toBeUndefined();
    expect(second.publicUrl).toBe("http://localhost:3000");
  });

  it("takes a given key as base64 or hex", async () => {
    const key = Buffer.alloc(32, 7);
    for (const text of [key.toString("base64"), key.toString("hex")]) {
      const config = await loadConfig({ BOSUN_DATA_DIR: dataDir, BOSUN_ENCRYPTION_KEY: text });
      expect(config.encryptionKey.export().equals(key)).toBe(true);
    }
  });

  it("takes several keys, newest first: the newest seals, every one is in the ring", async () => {
    const newer = Buffer.alloc(32, 9);
    const older = Buffer.alloc(32, 7);
    const config = await loadConfig({
      BOSUN_DATA_DIR: dataDir,
      BOSUN_ENCRYPTION_KEYS: ` ${newer.toString("base64")} , ${older.toString("hex")}`,
    });
    expect(config.encryptionKey.export().equals(newer)).toBe(true);
    expect(config.encryptionKeys.newest.key.export().equals(newer)).toBe(true);
    expect(config.encryptionKeys.keys.map(({ key }) => key.export())).toEqual([newer, older]);
    // Beside it, BOSUN_ENCRYPTION_KEY may stay while it names the newest key.
    const both = await loadConfig({
      BOSUN_DATA_DIR: dataDir,
      BOSUN_ENCRYPTION_KEY: newer.toString("hex"),
      BOSUN_ENCRYPTION_KEYS: `${newer.toString("base64")},${older.toString("base64")}`,
    });
    expect(both.encryptionKeys.keys).toHaveLength(2);
  });

  it.each([
    [
      "a bad key in the list, by position and never by text",
      { BOSUN_ENCRYPTION_KEYS: `${Buffer.alloc(32, 1).toString("base64")},not-a-key` },
      "BOSUN_ENCRYPTION_KEYS: key 2 of 2 must be 32 bytes, as base64 or 64 hex characters",
    ],
    [
      "the same key twice",
      {
        BOSUN_ENCRYPTION_KEYS: `${Buffer.alloc(32, 1).toString("base64")},${Buffer.alloc(32, 1).toString("hex")}`,
      },
      "BOSUN_ENCRYPTION_KEYS: the same key is listed twice",
    ],
    [
      "BOSUN_ENCRYPTION_KEY that is not the newest of BOSUN_ENCRYPTION_KEYS",
      {
        BOSUN_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString("base64"),
        BOSUN_ENCRYPTION_KEYS: `${Buffer.alloc(32, 1).toString("base64")},${Buffer.alloc(32, 2).toString("base64")}`,
      },
      "BOSUN_ENCRYPTION_KEY: set beside BOSUN_ENCRYPTION_KEYS, it must be the first (newest) of them; set only BOSUN_ENCRYPTION_KEYS",
    ],
  ])("refuses %s", async (_case, env, problem) => {
    const error = await loadConfig({ BOSUN_DATA_DIR: dataDir, ...env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([problem]);
    expect((error as ConfigError).message).not.toContain("not-a-key");
  });

  it("reads BOSUN_RETENTION_*: periods, a count of state versions, off, and the defaults", async () => {
    const defaults = await loadConfig({ BOSUN_DATA_DIR: dataDir });
    expect(defaults.retention).toEqual({
      "webhook-payloads": { maxAgeMs: 30 * 86_400_000 },
      "phase-logs": { maxAgeMs: 90 * 86_400_000 },
      plans: { maxAgeMs: 14 * 86_400_000 },
      tarballs: { maxAgeMs: 7 * 86_400_000 },
      "state-versions": undefined,
    });
    const set = await loadConfig({
      BOSUN_DATA_DIR: dataDir,
      BOSUN_RETENTION_WEBHOOK_PAYLOADS: "off",
      BOSUN_RETENTION_PHASE_LOGS: "36h",
      BOSUN_RETENTION_STATE_VERSIONS: "10",
    });
    expect(set.retention["webhook-payloads"]).toBeUndefined();
    expect(set.retention["phase-logs"]).toEqual({ maxAgeMs: 36 * 3_600_000 });
    expect(set.retention["state-versions"]).toEqual({ keepNewest: 10 });
    expect(
      (await loadConfig({ BOSUN_DATA_DIR: dataDir, BOSUN_RETENTION_STATE_VERSIONS: "90d" }))
        .retention["state-versions"],
    ).toEqual({ maxAgeMs: 90 * 86_400_000 });
  });

  it("refuses a bad retention setting, naming it and saying what it takes", async () => {
    const error = await loadConfig({
      BOSUN_DATA_DIR: dataDir,
      BOSUN_RETENTION_WEBHOOK_PAYLOADS: "1d",
      BOSUN_RETENTION_TARBALLS: "a week",
      BOSUN_RETENTION_STATE_VERSIONS: "0",
    }).catch((e: unknown) => e);
    expect((error as ConfigError).problems).toEqual([
      "BOSUN_RETENTION_WEBHOOK_PAYLOADS: must be at least 3d (GitHub keeps deliveries 3 days, and replay compares against them)",
      "BOSUN_RETENTION_TARBALLS: must be a period such as 30d or 36h, or off",
      "BOSUN_RETENTION_STATE_VERSIONS: must keep at least 1 version (the latest is never deleted)",
    ]);
  });

  it("uses PostgreSQL when DATABASE_URL is set and builds the GHE API base", async () => {
    const config = await loadConfig({
      BOSUN_DATA_DIR: dataDir,
      DATABASE_URL: "postgres://bosun@db:5432/bosun",
      APP_ID: testApp.appId,
      PRIVATE_KEY: testApp.privateKey.replace(/\n/g, "\\n"),
      WEBHOOK_SECRET: "s",
      GHE_HOST: "ghe.example.com",
      GHE_PROTOCOL: "http",
      BOSUN_PUBLIC_URL: "https://bosun.example.com/",
    });
    expect(config.database).toEqual({ kind: "postgres", url: "postgres://bosun@db:5432/bosun" });
    expect(config.github?.baseUrl).toBe("http://ghe.example.com/api/v3");
    expect(config.github?.privateKey).toBe(testApp.privateKey);
    expect(config.publicUrl).toBe("https://bosun.example.com");
  });

  it("turns on GitHub sign-in for the run pages with both OAuth variables, on GHE_HOST", async () => {
    const config = await loadConfig({
      BOSUN_DATA_DIR: dataDir,
      GITHUB_CLIENT_ID: "Iv1.abc",
      GITHUB_CLIENT_SECRET: "secret",
      GHE_HOST: "ghe.example.com",
    });
    expect(config.githubSignIn).toEqual({
      clientId: "Iv1.abc",
      clientSecret: "secret",
      webUrl: "https://ghe.example.com",
      apiUrl: "https://ghe.example.com/api/v3",
    });
    expect(config.githubWebUrl).toBe("https://ghe.example.com");
    const plain = await loadConfig({ BOSUN_DATA_DIR: dataDir });
    expect(plain.githubSignIn).toBeUndefined();
    expect(plain.githubWebUrl).toBe("https://github.com");
    await expect(
      loadConfig({ BOSUN_DATA_DIR: dataDir, GITHUB_CLIENT_ID: "Iv1.abc" }),
    ).rejects.toMatchObject({
      problems: ["GITHUB_CLIENT_SECRET: required with the other GitHub OAuth variable"],
    });
  });

  const problemsOf = async (env: Record<string, string>) => {
    try {
      await loadConfig({ BOSUN_DATA_DIR: dataDir, ...env });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it("requires the key in production, and serves setup there without App credentials", async () => {
    expect(await problemsOf({ NODE_ENV: "production" })).toEqual([
      expect.stringContaining("BOSUN_ENCRYPTION_KEY: required in production"),
    ]);
    const setup = await loadConfig({
      NODE_ENV: "production",
      BOSUN_DATA_DIR: dataDir,
      BOSUN_ENCRYPTION_KEY: "a".repeat(64),
    });
    expect(setup.github).toBeUndefined();
    expect(setup.githubApiUrl).toBe("https://api.github.com");
    expect(await problemsOf({ NODE_ENV: "production", APP_ID: "1" })).toEqual([
      "PRIVATE_KEY: required with the other GitHub App credentials",
      "WEBHOOK_SECRET: required with the other GitHub App credentials",
      expect.stringContaining("BOSUN_ENCRYPTION_KEY: required in production"),
    ]);
  });

  it("takes a metrics token of 16 characters or more, and refuses a shorter one", async () => {
    const config = await loadConfig({
      BOSUN_DATA_DIR: dataDir,
      BOSUN_METRICS_TOKEN: " 0123456789abcdef ",
    });
    expect(config.metricsToken).toBe("0123456789abcdef");
    expect((await loadConfig({ BOSUN_DATA_DIR: dataDir })).metricsToken).toBeUndefined();
    expect(await problemsOf({ BOSUN_METRICS_TOKEN: "short" })).toEqual([
      "BOSUN_METRICS_TOKEN: must be at least 16 characters (openssl rand -hex 32)",
    ]);
  });

  it("reads the proxy variables, the lower-case spelling first, and refuses a proxy that is no URL", async () => {
    const config = await loadConfig({
      BOSUN_DATA_DIR: dataDir,
      HTTPS_PROXY: "http://upper.example:3128",
      https_proxy: "http://lower.example:3128",
      NO_PROXY: "github.internal,.corp",
    });
    expect(config.proxy).toEqual({
      httpProxy: undefined,
      httpsProxy: "http://lower.example:3128",
      noProxy: "github.internal,.corp",
    });
    // NO_PROXY alone names no proxy.
    expect((await loadConfig({ BOSUN_DATA_DIR: dataDir, NO_PROXY: "*" })).proxy).toBeUndefined();
    expect(await problemsOf({ HTTP_PROXY: "proxy.example:3128" })).toEqual([
      "HTTP_PROXY: must be an http:// or https:// proxy URL",
    ]);
  });

  it("names each missing credential when only some are set", async () => {
    expect(await problemsOf({ APP_ID: "1" })).toEqual([
      "PRIVATE_KEY: required with the other GitHub App credentials",
      "WEBHOOK_SECRET: required with the other GitHub App credentials",
    ]);
  });

  it("rejects a short key, a non-PEM private key and an unreadable key file", async () => {
    expect(await problemsOf({ BOSUN_ENCRYPTION_KEY: "c2hvcnQ=" })).toEqual([
      expect.stringContaining("BOSUN_ENCRYPTION_KEY: must be 32 bytes"),
    ]);
    expect(
      await problemsOf({ APP_ID: "1", PRIVATE_KEY: "not a key", WEBHOOK_SECRET: "s" }),
    ).toEqual([expect.stringContaining("PRIVATE_KEY: must be a PEM private key")]);
    expect(
      await problemsOf({
        APP_ID: "1",
        PRIVATE_KEY_PATH: "/nonexistent/key.pem",
        WEBHOOK_SECRET: "s",
      }),
    ).toEqual([
      "PRIVATE_KEY_PATH: cannot read /nonexistent/key.pem (ENOENT)",
      "PRIVATE_KEY: required with the other GitHub App credentials",
    ]);
  });

  it("reads BOSUN_ENGINE_SIGNING_KEYS' keyring, and refuses one it cannot read or that holds no key", async () => {
    const keyring = path.join(dataDir, "mirror-keys.asc");
    const armored =
      "-----BEGIN PGP PUBLIC KEY BLOCK-----\n...\n-----END PGP PUBLIC KEY BLOCK-----\n";
    await writeFile(keyring, armored);
    const config = await loadConfig({
      BOSUN_DATA_DIR: dataDir,
      BOSUN_ENGINE_SIGNING_KEYS: keyring,
    });
    expect(config.engineSigningKeys).toBe(armored);
    expect(config.engineMirror).toEqual({ kind: "official" });

    expect(await problemsOf({ BOSUN_ENGINE_SIGNING_KEYS: path.join(dataDir, "none.asc") })).toEqual(
      [`BOSUN_ENGINE_SIGNING_KEYS: cannot read ${path.join(dataDir, "none.asc")} (ENOENT)`],
    );
    await writeFile(keyring, "not a key");
    expect(await problemsOf({ BOSUN_ENGINE_SIGNING_KEYS: keyring })).toEqual([
      `BOSUN_ENGINE_SIGNING_KEYS: ${keyring} holds no armored OpenPGP public key block`,
    ]);
  });

  it("refuses a damaged development key instead of replacing it", async () => {
    await loadConfig({ BOSUN_DATA_DIR: dataDir });
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(path.join(dataDir, "encryption-key"), "garbage"),
    );
    expect(await problemsOf({})).toEqual([expect.stringContaining("is damaged")]);
    expect(await readFile(path.join(dataDir, "encryption-key"), "utf8")).toBe("garbage");
  });
});
