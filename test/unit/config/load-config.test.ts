import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
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

  it("requires the key and the App credentials in production", async () => {
    expect(await problemsOf({ NODE_ENV: "production" })).toEqual([
      "APP_ID: required in production",
      "PRIVATE_KEY: required in production",
      "WEBHOOK_SECRET: required in production",
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

  it("refuses a damaged development key instead of replacing it", async () => {
    await loadConfig({ BOSUN_DATA_DIR: dataDir });
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(path.join(dataDir, "encryption-key"), "garbage"),
    );
    expect(await problemsOf({})).toEqual([expect.stringContaining("is damaged")]);
    expect(await readFile(path.join(dataDir, "encryption-key"), "utf8")).toBe("garbage");
  });
});
