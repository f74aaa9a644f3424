import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDevelopmentEnvFile } from "../../../src/config/load-env-file.js";
import { EnvFileConflictError, envLine, mergeEnvFile } from "../../../src/config/merge-env-file.js";

describe("the development .env", () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "bosun-env-"));
    file = path.join(dir, ".env");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("is created 0600 with the values, a PEM's newlines kept, and read back the same", async () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n";
    await mergeEnvFile(file, { APP_ID: "1", PRIVATE_KEY: pem }, "the App");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, "utf8")).toBe(
      `# the App\nAPP_ID="1"\nPRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----\\n"\n`,
    );
    const env: NodeJS.ProcessEnv = { APP_ID: "already set" };
    expect(loadDevelopmentEnvFile(env, file)).toBe(file);
    expect(env).toEqual({ APP_ID: "already set", PRIVATE_KEY: pem });
  });

  it("keeps other lines, drops empty settings of the same names, refuses to replace a value", async () => {
    await writeFile(file, "A=1\nexport APP_ID=\nB='two'\n");
    await mergeEnvFile(file, { APP_ID: "5" }, "c");
    expect(await readFile(file, "utf8")).toBe(`A=1\nB='two'\n\n# c\nAPP_ID="5"\n`);
    const error = await mergeEnvFile(file, { APP_ID: "6", X: "y" }, "c").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvFileConflictError);
    expect((error as EnvFileConflictError).variables).toEqual(["APP_ID"]);
    expect(await readFile(file, "utf8")).toBe(`A=1\nB='two'\n\n# c\nAPP_ID="5"\n`);
  });

  it("refuses a value it could not write back faithfully", () => {
    expect(() => envLine("X", 'a"b')).toThrow("X: a value with quotes or backslashes");
  });

  it("is not read in production, nor when missing", async () => {
    await writeFile(file, "APP_ID=1\n");
    const production: NodeJS.ProcessEnv = { NODE_ENV: "production" };
    expect(loadDevelopmentEnvFile(production, file)).toBeUndefined();
    expect(production).toEqual({ NODE_ENV: "production" });
    expect(loadDevelopmentEnvFile({}, path.join(dir, "none"))).toBeUndefined();
  });
});
